"""``run`` (inputs to a destination, resumable, optionally on a cluster) and ``digest``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from translate_pipeline.cli.logs import is_quiet, log_options, quiet_option
from translate_pipeline.cli.options import (
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_PIPE_CLOSED,
    SummaryFlags,
    cluster_option,
    cluster_spec,
    echo_missing_models,
    fail,
    forget_stdout,
    jobs_option,
    make_pipeline,
    output_destination,
    reports_errors,
    run_config,
    summary_options,
    targets_option,
)
from translate_pipeline.errors import PipelineError, one_line

__all__ = ["run", "digest"]

RUN_EXIT_CODES_HELP = (
    "Exit codes: 0 everything done (or already complete); 1 some inputs failed or were written "
    "without some languages (the others are done and written; errors in DIR/errors.jsonl; a "
    "rerun redoes only those); 2 usage error; 75 another run is writing to DIR (nothing done; "
    "try later); 141 with -o -: the reader of stdout went away (| head)."
)


@click.command(epilog=RUN_EXIT_CODES_HELP)
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@targets_option
@click.option("--output", "-o", "output", required=True,
              type=click.Path(file_okay=False, allow_dash=True),
              help="Output folder (created if missing), or an fsspec URL (s3://bucket/news; needs "
                   "pip install fsspec and the protocol's package, e.g. s3fs); - streams JSON "
                   "Lines to stdout instead.")
@quiet_option("No progress bar.")
@click.option("--force", is_flag=True,
              help="Redo every article, even those whose outputs are complete for the same input "
                   "and settings (by default a rerun skips them).")
@click.option("--format", "formats", multiple=True,
              type=click.Choice(["json", "jsonl", "markdown", "document"]),
              help="What to write (repeatable): json (DIR/ID.json), markdown (DIR/ID.LANG.md), "
                   "jsonl (DIR/articles.jsonl), document (DIR/LANG/PATH.md: each Markdown input "
                   "translated, its structure kept, for sites) [default: json and markdown].")
@click.option("--html", is_flag=True,
              help="Also write DIR/index.html, a digest of every article in DIR (all languages side "
                   "by side).")
@cluster_option
@jobs_option
@summary_options
@log_options(quiet=False)
@reports_errors
def run(inputs, targets, output: str, quiet: bool, force: bool, cluster, flags: SummaryFlags,
        formats=(), html=False, jobs=None) -> int:
    """Translate and summarize files, folders and URLs (.txt, .md, .html, .jsonl; recursive).

    For INPUT samples with a file samples/x/y.txt it writes DIR/x/y.json and DIR/x/y.LANG.md for
    the source language and each --to. A progress bar goes to stderr when it is a terminal.
    A rerun skips articles already complete for the same input and settings (--force redoes
    them), so after an interruption the same command finishes the rest. Failures are listed
    in DIR/errors.jsonl.

    \b
    Examples:
      translate-pipeline run samples --to en --to uk --output out
      translate-pipeline run samples --to en --to uk --output out --force
      translate-pipeline run news/today.txt archive/ --to de -o out --sentences 2 --quiet
      translate-pipeline run notes/ --from fr --to en -o out --device cpu --threads 2
      translate-pipeline run feeds/ --to en --translate summary --no-cache -o out
      translate-pipeline run archive/ --to en -o /shared/out --cluster tcp://scheduler:8786
      translate-pipeline run samples --to en -o s3://bucket/news
      translate-pipeline run page.html https://example.org/news/1 --to en -o out --html
      translate-pipeline run dump.jsonl --to de -o - | jq -r .languages.de.title
      translate-pipeline run site/content --to uk -o site/translated --format document
      translate-pipeline run archive/ --to en -o out --jobs 4
    """
    from translate_pipeline.batch import run_batch
    from translate_pipeline.errors import OutputLockedError
    from translate_pipeline.inputs.discovery import discover

    quiet = quiet or is_quiet()
    config = run_config(targets, flags, window=True, formats=formats, jobs=jobs)
    to_stdout = output == "-"
    _check_outputs(to_stdout, formats, html, cluster)
    spec = cluster_spec(cluster)
    destination = output_destination(output, urls=True, stdout=True)
    if "document" in formats and type(destination).__name__ == "URLFolder":
        raise click.BadParameter("--format document writes to a local folder, not a URL",
                                 param_hint="--format")
    # Inputs are walked as the run goes, never listed whole (a folder of a million articles);
    # a cluster's client lists them (paths only) to cut partitions.
    outputs = [destination.path] if isinstance(getattr(destination, "path", None), Path) else []

    def walk(on_skip=lambda message: click.echo(f"warning: {one_line(message)}", err=True)):
        return discover(inputs, outputs=outputs, on_skip=on_skip)

    found = walk() if spec is None else list(walk())
    if to_stdout:
        return _run_to_stdout(found, destination, config)
    if spec is None:
        pipeline = make_pipeline(config)
    show_bar = not quiet and sys.stderr.isatty()
    from translate_pipeline.inputs.read import expected_articles

    # The bar's length: a first walk that only counts (not at all when there is no bar).
    total = sum(map(expected_articles, walk(lambda _: None) if spec is None else found)) \
        if show_bar else 0
    from translate_pipeline.cli.progress import Progress

    with Progress(total, sys.stderr, shown=show_bar) as bar:

        def show(problem):
            bar.echo(f"error: {one_line(problem)}")

        def on_outcome(outcome, problems):
            for problem in problems:
                show(problem)
            bar.advance(1)

        try:
            if spec is None:
                report = run_batch(found, destination, pipeline, on_outcome, force=force,
                                   formats=formats, on_progress=bar.window if show_bar else None,
                                   jobs=config.jobs)
            else:  # the same pipeline and writes, on the workers
                from translate_pipeline.cluster.client import Job, run_on_cluster

                job = Job(config)
                report = run_on_cluster(spec, found, destination, job, force=force,
                                        on_problem=show, on_progress=bar.advance)
        except OutputLockedError as exc:
            bar.close()
            fail(str(exc))
            return EXIT_LOCKED
    if report.stopped:
        fail(report.stopped)
    digest_ok = True
    if html:
        try:  # from every record in DIR, so a resumed run's digest lists them all
            destination.write_digest()
        except PipelineError as exc:
            fail(str(exc))
            digest_ok = False
    click.echo(f"{report.tally()}; {destination.describe()}", err=True)
    echo_missing_models(report.missing_models)
    return EXIT_OK if report.ok and digest_ok else EXIT_FAILED


def _check_outputs(to_stdout: bool, formats, html: bool, cluster) -> None:
    """Usage errors (exit 2) for --output/--format/--html/--cluster that do not go together."""
    if to_stdout and set(formats) - {"jsonl"}:
        raise click.BadParameter("--output - writes JSON Lines; --format can only be jsonl",
                                 param_hint="--format")
    if to_stdout and html:
        raise click.BadParameter("--html needs an output folder, not -", param_hint="--html")
    if cluster is not None and (to_stdout or set(formats) not in (set(), {"json", "markdown"})):
        raise click.BadParameter("--cluster writes the default JSON and Markdown files: not with "
                                 "--output - or --format", param_hint="--cluster")


def _run_to_stdout(found, destination, config) -> int:
    """run --output -: JSON Lines on stdout, error lines and the tally on stderr, no files;
    exit 141 when the reader of stdout goes away (``| head``), as ``translate``."""
    from translate_pipeline.batch import run_batch
    from translate_pipeline.errors import PipeClosed

    pipeline = make_pipeline(config)

    def on_outcome(outcome, problems):
        for problem in problems:
            fail(problem)

    try:
        report = run_batch(found, destination, pipeline, on_outcome, jobs=config.jobs)
    except PipeClosed:  # | head: the reader has all it wants
        forget_stdout()
        return EXIT_PIPE_CLOSED
    if report.stopped:
        forget_stdout()
        fail(report.stopped)
    click.echo(f"{report.tally()}; {destination.describe()}", err=True)
    echo_missing_models(report.missing_models)
    return EXIT_OK if report.ok else EXIT_FAILED


@click.command(epilog="Exit codes: 0 written; 1 DIR/index.html cannot be written; 2 usage error "
                      "(DIR is no folder).")
@click.argument("folder", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--title", default="News digest", show_default=True, help="The page's heading.")
@log_options
@reports_errors
def digest(folder: Path, title: str) -> int:
    """Write DIR/index.html: every article in an output folder of run or feed, with its language,
    and its title and summary in each language side by side (self-contained; no network).

    \b
    Examples:
      translate-pipeline digest out
      translate-pipeline digest /srv/feeds --title "Translated feeds"
    """
    from translate_pipeline.outputs.digest import write_digest

    path = write_digest(folder, title)
    click.echo(f"wrote {path}")
    return EXIT_OK
