"""The ``translate-pipeline`` group: thin click commands over the library, one module per
command family (:mod:`~translate_pipeline.cli.articles`: detect, summarize;
:mod:`~translate_pipeline.cli.run`: run, digest; :mod:`~translate_pipeline.cli.feed`;
:mod:`~translate_pipeline.cli.manage`: models, cache), their shared options in
:mod:`~translate_pipeline.cli.options`.

Every failure prints one line on stderr naming the input and the reason; each command's help
ends with its exit codes. Logging (-v, -q, --log-file): :mod:`~translate_pipeline.cli.logs`.
"""

from __future__ import annotations

import click

from translate_pipeline._version import __version__
from translate_pipeline.cli.articles import detect, summarize
from translate_pipeline.cli.configfile import config_option
from translate_pipeline.cli.feed import feed
from translate_pipeline.cli.manage import cache, models
from translate_pipeline.cli.logs import log_options
from translate_pipeline.cli.run import digest, run
from translate_pipeline.cli.translate import translate

__all__ = ["cli", "main"]


@click.group(epilog="Exit codes: 0 done; 1 something failed or is incomplete (the rest is done); "
                    "2 usage error; 75 busy, try later (run, feed); 141 the reader of stdout "
                    "went away. Each command's --help gives its own.")
@click.version_option(__version__, prog_name="translate-pipeline")
@config_option
@log_options
def cli() -> None:
    """Detect, translate offline with Argos models, and summarize news articles.

    -v, -q and --log-file work here and after any command alike.

    \b
    Examples:
      translate-pipeline run samples --to en --to uk --output out
      translate-pipeline summarize article.txt --to de
      translate-pipeline translate article.txt --to en
      translate-pipeline detect samples --format json
      translate-pipeline models install en de
      translate-pipeline -v run samples --to en -o out --log-file run.log
    """


for command in (detect, summarize, translate, run, digest, feed, models, cache):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="translate-pipeline")
