"""``translate``: the full translation of each input on stdout, as text, JSON or JSON Lines."""

from __future__ import annotations

import itertools
import json
import logging
import sys
from collections import Counter

import click

from translate_pipeline.cli.articles import articles
from translate_pipeline.errors import with_advice
from translate_pipeline.cli.logs import log_options
from translate_pipeline.cli.options import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_PIPE_CLOSED,
    SummaryFlags,
    echo_missing_models,
    fail,
    forget_stdout,
    make_pipeline,
    reports_errors,
    run_config,
    targets_option,
    translation_options,
)

__all__ = ["translate", "EXIT_PIPE_CLOSED"]

log = logging.getLogger("translate_pipeline.cli")


EXIT_HELP = (
    "Exit codes: 0 every input translated into every language; 1 some input failed or a "
    "language is missing (the rest is printed); 2 usage error; 141 the reader of stdout went "
    "away (| head), nothing more is printed."
)


@click.command(epilog=EXIT_HELP)
@click.argument("inputs", nargs=-1, metavar="[FILE|FOLDER|URL|-]...")
@targets_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default="text",
              show_default=True,
              help="text: the translation (a '== SOURCE (from -> to)' line before each when "
                   "there are several); json: one indented object per input and language; "
                   "jsonl: one object per line.")
@translation_options
@log_options
@reports_errors
def translate(inputs: tuple[str, ...], targets: tuple[str, ...], fmt: str,
              flags: SummaryFlags) -> int:
    """Translate each input (stdin when none is given) into every --to language.

    Paragraphs stay paragraphs and the headline stays the first line. Inputs are any of what
    run reads: text, Markdown, HTML, URLs, JSON Lines (one translation per record).

    \b
    Examples:
      translate-pipeline translate article.txt --to en
      cat article.txt | translate-pipeline translate --from de --to en --to uk
      translate-pipeline translate notes/ https://example.org/news/1 --to en --format jsonl
      translate-pipeline translate dump.jsonl --to de --format json | jq -r .title
    """
    from translate_pipeline.batch import most_needed
    from translate_pipeline.records import Failure, outcome_line

    pipeline = make_pipeline(run_config(targets, flags, window=True))
    outcomes = pipeline.process(articles(inputs))
    first = list(itertools.islice(outcomes, 2))
    headed = len(targets) > 1 or len(first) > 1
    failed = False
    missing: Counter[tuple[str, str]] = Counter()
    try:
        for outcome in itertools.chain(first, outcomes):
            log.info("%s", outcome_line(outcome))
            if isinstance(outcome, Failure):
                fail(with_advice(outcome.error))
                failed = True
                continue
            for lang, version in outcome.languages[1:]:
                _print(outcome, lang, version, fmt, headed)
            if outcome.errors:
                fail(f"{outcome.article.source}: {outcome.problem()}")
                failed = True
            missing.update(outcome.missing_models)
            sys.stdout.flush()
    except BrokenPipeError:
        forget_stdout()
        return EXIT_PIPE_CLOSED
    echo_missing_models(most_needed(missing))
    return EXIT_FAILED if failed else EXIT_OK


def _print(outcome, lang: str, version, fmt: str, headed: bool) -> None:
    source = outcome.detection.code
    if fmt == "text":
        if headed:
            click.echo(f"== {outcome.article.source} ({source} -> {lang})")
        blocks = ([version.title] if version.title else []) + list(version.paragraphs)
        click.echo("\n\n".join(blocks))
        if headed:
            click.echo()
        return
    record = {"source": outcome.article.source, "id": outcome.article.id, "language": source,
              "target": lang, "title": version.title, "paragraphs": list(version.paragraphs)}
    click.echo(json.dumps(record, ensure_ascii=False, indent=2 if fmt == "json" else None))
