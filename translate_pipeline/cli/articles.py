"""``detect`` and ``summarize``: one line (or record) per input, one article's summary."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import click

from translate_pipeline.cli.logs import log_options
from translate_pipeline.cli.options import (
    EXIT_FAILED,
    EXIT_OK,
    SummaryFlags,
    echo_missing_models,
    fail,
    language_code,
    make_pipeline,
    reports_errors,
    run_config,
    summary_options,
)
from translate_pipeline.errors import PipelineError, one_line

__all__ = ["detect", "summarize"]


def articles(inputs: tuple[str, ...]):
    """Articles (or failures) for FILE|FOLDER|URL|- inputs, stdin when there are none."""
    from translate_pipeline.inputs.read import read_items
    from translate_pipeline.inputs.discovery import discover

    for raw in inputs or ("-",):
        yield from read_items(discover([raw]))


@click.command(epilog="Exit codes: 0 every input detected; 1 some input could not be read or "
                      "detected (the others are printed); 2 usage error; 141 the reader of "
                      "stdout went away.")
@click.argument("inputs", nargs=-1, metavar="[FILE|FOLDER|-]...")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: SOURCE, language, confidence per line; json: one object per line.")
@log_options
@reports_errors
def detect(inputs: tuple[str, ...], fmt: str) -> int:
    """Detect the language of each input (stdin when none is given).

    \b
    Examples:
      translate-pipeline detect article.txt
      cat article.txt | translate-pipeline detect --format json
      translate-pipeline detect samples --format json
    """
    from translate_pipeline.nlp.detect import detect_language
    from translate_pipeline.records import Failure

    failed = 0
    for item in articles(inputs):
        if isinstance(item, Failure):
            fail(str(item.error))
            failed += 1
            continue
        try:
            found = detect_language(f"{item.title}\n{item.text}", item.source)
        except PipelineError as exc:
            fail(str(exc))
            failed += 1
            continue
        if fmt == "json":
            record = {"source": item.source, "language": found.code,
                      "confidence": round(found.confidence, 4)}
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(f"{one_line(item.source)}\t{found.code}\t{found.confidence:.4f}")
    return EXIT_FAILED if failed else EXIT_OK


@click.command(epilog="Exit codes: 0 summarized in its language and every --to; 1 the input "
                      "failed, or a language is missing (the rest is printed, the models to "
                      "install follow); 2 usage error; 141 the reader of stdout went away.")
@click.argument("input_", metavar="[FILE|-]", default="-", required=False)
@click.option("--to", "targets", multiple=True, callback=language_code, metavar="LANG",
              help="Also summarize in this language (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="Output format.")
@summary_options
@log_options
@reports_errors
def summarize(input_: str, targets, fmt, flags: SummaryFlags) -> int:
    """Print a summary of one article (stdin by default) in its language and each --to.

    \b
    Examples:
      translate-pipeline summarize article.txt
      translate-pipeline summarize article.txt --to en --to uk --sentences 2
      cat article.txt | translate-pipeline summarize --from de --format json
      translate-pipeline summarize article.md --algorithm lexrank --format markdown
    """
    from translate_pipeline.outputs.render import to_json, to_markdown, to_text
    from translate_pipeline.records import Failure

    if input_ != "-" and Path(input_).is_dir():
        raise click.BadParameter(f"{input_} is a folder; use 'run' for folders", param_hint="FILE")
    items = list(itertools.islice(articles((input_,)), 2))
    if len(items) != 1:  # a JSON Lines file
        raise click.BadParameter(f"{input_} holds several articles; use 'run' (or 'detect')",
                                 param_hint="FILE")
    (article,) = items
    if isinstance(article, Failure):
        raise article.error
    pipeline = make_pipeline(run_config(targets, flags))
    outcome = pipeline.process_one(article)
    if isinstance(outcome, Failure):
        raise outcome.error
    if fmt == "json":
        click.echo(to_json(outcome))
    elif fmt == "markdown":
        click.echo("\n".join(to_markdown(outcome, lang) for lang, _ in outcome.languages), nl=False)
    else:
        click.echo(to_text(outcome), nl=False)
    if outcome.errors:
        fail(f"{outcome.article.source}: {outcome.problem()}")
    echo_missing_models([(pair, 1) for pair in outcome.missing_models])
    return EXIT_FAILED if outcome.errors else EXIT_OK
