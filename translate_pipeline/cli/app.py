"""The ``translate-pipeline`` group: thin click commands over the library, one module per
command family (:mod:`~translate_pipeline.cli.articles`: detect, summarize;
:mod:`~translate_pipeline.cli.run`: run, digest; :mod:`~translate_pipeline.cli.feed`;
:mod:`~translate_pipeline.cli.manage`: models, cache), their shared options in
:mod:`~translate_pipeline.cli.options`.

Exit codes: 0 everything done; 1 some inputs failed (the others are done and written); 2 usage error.
Every failure prints one line on stderr naming the input and the reason.
"""

from __future__ import annotations

import logging
import sys

import click

from translate_pipeline._version import __version__
from translate_pipeline.cli.articles import detect, summarize
from translate_pipeline.cli.configfile import config_option
from translate_pipeline.cli.feed import feed
from translate_pipeline.cli.manage import cache, models
from translate_pipeline.cli.options import EXIT_CODES_HELP
from translate_pipeline.cli.run import digest, run
from translate_pipeline.cli.translate import translate
from translate_pipeline.errors import one_line

__all__ = ["cli", "main"]


@click.group(epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="translate-pipeline")
@config_option
@click.option("-v", "--verbose", count=True, help="Log progress details to stderr (-vv: debug).")
def cli(verbose: int) -> None:
    """Detect, translate offline with Argos models, and summarize news articles.

    \b
    Examples:
      translate-pipeline run samples --to en --to uk --output out
      translate-pipeline summarize article.txt --to de
      translate-pipeline translate article.txt --to en
      translate-pipeline detect samples --format json
      translate-pipeline models install en de
    """
    _warning_lines(enabled=not verbose)
    if verbose:
        logging.basicConfig(
            level=logging.DEBUG if verbose > 1 else logging.INFO,
            format="%(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )


class _WarningLines(logging.Handler):
    """The library's warnings (a corrupt cache moved aside, an output folder not read back,
    a broken package skipped) as ``warning: ...`` lines on stderr, when not --verbose."""

    def __init__(self):
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(f"warning: {one_line(record.getMessage())}", err=True)
        except Exception:
            self.handleError(record)


def _warning_lines(*, enabled: bool) -> None:
    logger = logging.getLogger("translate_pipeline")
    for handler in [h for h in logger.handlers if isinstance(h, _WarningLines)]:
        logger.removeHandler(handler)
    if enabled:
        logger.addHandler(_WarningLines())


for command in (detect, summarize, translate, run, digest, feed, models, cache):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="translate-pipeline")
