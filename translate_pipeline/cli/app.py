"""The command line: thin click commands over the library.

Exit codes: 0 everything done; 1 some inputs failed (the others are done and written); 2 usage error.
Every failure prints one line on stderr naming the input and the reason.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from translate_pipeline import __version__
from translate_pipeline.errors import PipelineError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run holds the output folder (run, feed) or the state (feed)
ALGORITHMS = ("news", "lexrank", "lsa", "textrank", "luhn", "sumbasic", "kl", "lead")

EXIT_CODES_HELP = (
    "Exit codes: 0 everything done; 1 some inputs failed (the others are done and written); "
    "2 usage error."
)
RUN_EXIT_CODES_HELP = (
    "Exit codes: 0 everything done (or already complete); 1 some inputs failed (the others are "
    "done and written; errors in DIR/errors.jsonl; a rerun redoes only those); 2 usage error; "
    "75 another run is writing to DIR (nothing done; try later)."
)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)


def reports_errors(command: Callable[..., int | None]) -> Callable[..., None]:
    """Turn library errors into one stderr line and exit 1; the command's return is the exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = command(*args, **kwargs)
        except PipelineError as exc:
            _fail(str(exc))
            code = EXIT_FAILED
        sys.exit(code or EXIT_OK)

    return wrapper


def language_code(ctx, param, value):
    """Normalise ``--to``/``--from`` codes (``DE`` -> ``de``), refusing obvious garbage."""
    if value is None:
        return None
    values = value if isinstance(value, tuple) else (value,)
    cleaned = []
    for code in values:
        code = code.strip().lower()
        if not code.replace("-", "").isalpha() or not 2 <= len(code) <= 8:
            raise click.BadParameter(f"{code!r} is not a language code (e.g. en, de, uk)")
        cleaned.append(code)
    return tuple(cleaned) if isinstance(value, tuple) else cleaned[0]


targets_option = click.option(
    "--to", "targets", multiple=True, required=True, callback=language_code, metavar="LANG",
    help="Target language (repeatable).",
)


cluster_option = click.option(
    "--cluster", metavar="ADDRESS|local[:N]", default=None,
    help="Run on a Dask cluster: a scheduler address (tcp://scheduler:8786), or local[:N] for N "
         "worker processes on this machine (default: one per core). Needs "
         "pip install 'translate-pipeline[dask]'; outputs must be on storage every worker sees.",
)


def _cluster_spec(value: str | None):
    """The ClusterSpec of --cluster, or None; usage errors exit 2."""
    if value is None:
        return None
    from translate_pipeline.cluster import client as cluster

    try:
        spec = cluster.parse_cluster(value)
        cluster.partition_limits()
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--cluster") from None
    try:
        cluster.require_dask()
    except cluster.DaskMissing as exc:
        raise click.UsageError(str(exc)) from None
    return spec


def _destination(text: str, *, urls: bool, stdout: bool):
    """The Destination of --output (see outputs.destination.choose_destination); a URL where
    ``urls`` (run), ``-`` for stdout where ``stdout`` (run). Usage errors exit 2."""
    from translate_pipeline.outputs.destination import choose_destination
    from translate_pipeline.outputs.urls import RemoteUsageError

    try:
        return choose_destination(text, urls=urls, stdout=stdout)
    except RemoteUsageError as exc:
        raise click.BadParameter(str(exc), param_hint="--output") from None


def summary_options(command: Callable) -> Callable:
    """Options shared by the commands that summarize and translate."""
    decorators = [
        click.option("--sentences", "-n", type=click.IntRange(1, 50), default=3, show_default=True,
                     help="Sentences per summary."),
        click.option("--algorithm", type=click.Choice(ALGORITHMS), default="news", show_default=True,
                     help="Summary algorithm; 'news' weighs position and centrality."),
        click.option("--from", "source_language", callback=language_code, metavar="LANG",
                     help="Source language; skips detection."),
        click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default=None,
                     help="Where CTranslate2 runs [env TRANSLATE_PIPELINE_DEVICE; default auto]."),
        click.option("--threads", type=click.IntRange(0, 256), default=None,
                     help="CPU threads, 0 = all cores [env TRANSLATE_PIPELINE_THREADS; default 0]."),
        click.option("--compute-type", default=None, metavar="TYPE",
                     help="CTranslate2 compute type: auto (int8 on cpu), int8, float32, float16, ... "
                          "[env TRANSLATE_PIPELINE_COMPUTE_TYPE]."),
        click.option("--translate", "translate_mode", type=click.Choice(["full", "summary"]),
                     default="full", show_default=True,
                     help="summary: translate only titles and summary sentences (much less work)."),
        click.option("--no-cache", is_flag=True,
                     help="Do not read or write the sentence translation cache."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _pipeline_parts(targets, sentences, algorithm, source_language, device, threads, compute_type,
                    translate_mode, no_cache):
    """(settings, engine options, cache on) from the shared options: what builds a pipeline here
    or, with --cluster, on each worker."""
    from translate_pipeline.pipeline import Settings
    from translate_pipeline.translate.engine import EngineOptions

    settings = Settings(
        targets=tuple(targets), sentences=sentences, algorithm=algorithm,
        source_language=source_language, translate=translate_mode,
    )
    options = EngineOptions.from_env(device=device, threads=threads, compute_type=compute_type)
    return settings, options, not no_cache


def _pipeline(*args):
    from translate_pipeline.pipeline import build_pipeline

    settings, options, cache = _pipeline_parts(*args)
    if settings.targets and (options.device == "cuda" or options.compute_type != "auto"):
        # Asked for explicitly: say now (exit 2) if this machine cannot, not once per article.
        from translate_pipeline.errors import PipelineError

        try:
            options.resolved()
        except PipelineError as exc:
            raise click.UsageError(str(exc)) from None
    return build_pipeline(settings, options, cache=cache)


@click.group(epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="translate-pipeline")
@click.option("-v", "--verbose", count=True, help="Log progress details to stderr (-vv: debug).")
def cli(verbose: int) -> None:
    """Detect, translate offline with Argos models, and summarize news articles.

    \b
    Examples:
      translate-pipeline run samples --to en --to uk --output out
      translate-pipeline summarize article.txt --to de
      translate-pipeline detect samples --format json
      translate-pipeline models install en de
    """
    if verbose:
        logging.basicConfig(
            level=logging.DEBUG if verbose > 1 else logging.INFO,
            format="%(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )


def _articles(inputs: tuple[str, ...]):
    """Articles (or failures) for FILE|FOLDER|URL|- inputs, stdin when there are none."""
    from translate_pipeline.batch import read_items
    from translate_pipeline.inputs.discovery import discover

    for raw in inputs or ("-",):
        yield from read_items(discover([raw]))


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("inputs", nargs=-1, metavar="[FILE|FOLDER|-]...")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: SOURCE, language, confidence per line; json: one object per line.")
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
    for item in _articles(inputs):
        if isinstance(item, Failure):
            _fail(str(item.error))
            failed += 1
            continue
        try:
            found = detect_language(f"{item.title}\n{item.text}", item.source)
        except PipelineError as exc:
            _fail(str(exc))
            failed += 1
            continue
        if fmt == "json":
            record = {"source": item.source, "language": found.code,
                      "confidence": round(found.confidence, 4)}
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(f"{item.source}\t{found.code}\t{found.confidence:.4f}")
    return EXIT_FAILED if failed else EXIT_OK


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("input_", metavar="[FILE|-]", default="-", required=False)
@click.option("--to", "targets", multiple=True, callback=language_code, metavar="LANG",
              help="Also summarize in this language (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="Output format.")
@summary_options
@reports_errors
def summarize(input_: str, targets, fmt, sentences, algorithm, source_language, device, threads,
              compute_type, translate_mode, no_cache) -> int:
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
    items = list(itertools.islice(_articles((input_,)), 2))
    if len(items) != 1:  # a JSON Lines file
        raise click.BadParameter(f"{input_} holds several articles; use 'run' (or 'detect')",
                                 param_hint="FILE")
    (article,) = items
    if isinstance(article, Failure):
        raise article.error
    pipeline = _pipeline(targets, sentences, algorithm, source_language, device, threads,
                         compute_type, translate_mode, no_cache)
    outcome = pipeline.process_one(article)
    if isinstance(outcome, Failure):
        raise outcome.error
    if fmt == "json":
        click.echo(to_json(outcome))
    elif fmt == "markdown":
        click.echo("\n".join(to_markdown(outcome, lang) for lang, _ in outcome.languages), nl=False)
    else:
        click.echo(to_text(outcome), nl=False)
    for error in outcome.errors:
        _fail(f"{outcome.article.source}: {error}")
    return EXIT_FAILED if outcome.errors else EXIT_OK


@cli.command(epilog=RUN_EXIT_CODES_HELP)
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@targets_option
@click.option("--output", "-o", "output", required=True,
              type=click.Path(file_okay=False, allow_dash=True),
              help="Output folder (created if missing), or an fsspec URL (s3://bucket/news; needs "
                   "pip install fsspec and the protocol's package, e.g. s3fs); - streams JSON "
                   "Lines to stdout instead.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--force", is_flag=True,
              help="Redo every article, even those whose outputs are complete for the same input "
                   "and settings (by default a rerun skips them).")
@click.option("--format", "formats", multiple=True, type=click.Choice(["json", "jsonl", "markdown"]),
              help="What to write (repeatable): json (DIR/ID.json), markdown (DIR/ID.LANG.md), "
                   "jsonl (DIR/articles.jsonl) [default: json and markdown].")
@click.option("--html", is_flag=True,
              help="Also write DIR/index.html, a digest of every article in DIR (all languages side "
                   "by side).")
@cluster_option
@summary_options
@reports_errors
def run(inputs, targets, output: str, quiet: bool, force: bool, cluster, sentences, algorithm,
        source_language, device, threads, compute_type, translate_mode, no_cache, formats=(),
        html=False) -> int:
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
    """
    from translate_pipeline.batch import run_batch
    from translate_pipeline.config import env_setting
    from translate_pipeline.errors import OutputLockedError
    from translate_pipeline.inputs.discovery import discover

    window = env_setting("TRANSLATE_PIPELINE_WINDOW", "64")
    if not window.isdigit() or int(window) < 1:
        raise click.UsageError(
            f"TRANSLATE_PIPELINE_WINDOW must be a whole number >= 1, not {window!r}")
    to_stdout = output == "-"
    _check_outputs(to_stdout, formats, html, cluster)
    spec = _cluster_spec(cluster)
    destination = _destination(output, urls=True, stdout=True)
    # Inputs are walked as the run goes, never listed whole (a folder of a million articles);
    # a cluster's client lists them (paths only) to cut partitions.
    found = discover(inputs) if spec is None else list(discover(inputs))
    parts = (targets, sentences, algorithm, source_language, device, threads, compute_type,
             translate_mode, no_cache)
    if to_stdout:
        return _run_to_stdout(found, destination, parts, int(window))
    if spec is None:
        pipeline = _pipeline(*parts)
        pipeline.window_articles = int(window)
    show_bar = not quiet and sys.stderr.isatty()
    from translate_pipeline.inputs.read import expected_articles

    # The bar's length: a first walk that only counts (not at all when there is no bar).
    total = sum(map(expected_articles, discover(inputs) if spec is None else found)) \
        if show_bar else 0
    with click.progressbar(length=total, label="articles", file=sys.stderr,
                           hidden=not show_bar) as bar:

        def show(problem):
            if show_bar:
                click.echo("", err=True)
            _fail(problem)

        def on_outcome(outcome, problems):
            for problem in problems:
                show(problem)
            bar.update(1)

        try:
            if spec is None:
                report = run_batch(found, destination, pipeline, on_outcome, force=force,
                                   formats=formats)
            else:  # the same pipeline and writes, on the workers
                from translate_pipeline.cluster.client import Job, run_on_cluster

                settings, options, cache = _pipeline_parts(*parts)
                job = Job(settings, options, cache=cache, window=int(window),
                          formats=tuple(formats))
                report = run_on_cluster(spec, found, destination, job, force=force,
                                        on_problem=show, on_progress=bar.update)
        except OutputLockedError as exc:
            _fail(str(exc))
            return EXIT_LOCKED
    if report.stopped:
        _fail(report.stopped)
    digest_ok = True
    if html:
        try:  # from every record in DIR, so a resumed run's digest lists them all
            destination.write_digest()
        except PipelineError as exc:
            _fail(str(exc))
            digest_ok = False
    click.echo(f"{report.tally()}; {destination.describe()}", err=True)
    _missing_models_hint(report)
    return EXIT_OK if report.ok and digest_ok else EXIT_FAILED


def _missing_models_hint(report) -> None:
    """After the tally: the models whose installation would add the missing languages, once,
    most needed first (each article's error line says it too, but a long run buries them)."""
    if not report.missing_models:
        return
    needs = ", ".join(f"{a}->{b} ({n} article{'s' if n != 1 else ''})"
                      for (a, b), n in report.missing_models)
    click.echo(f"missing models: {needs}; install them, then run the same command again to add "
               "the missing languages (offline: translate-pipeline models install "
               "FILE.argosmodel):", err=True)
    for (a, b), _ in report.missing_models:
        click.echo(f"  translate-pipeline models install {a} {b}", err=True)


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


def _run_to_stdout(found, destination, parts, window: int) -> int:
    """run --output -: JSON Lines on stdout, error lines and the tally on stderr, no files."""
    import os

    from translate_pipeline.batch import PipeClosed, run_batch

    pipeline = _pipeline(*parts)
    pipeline.window_articles = window

    def on_outcome(outcome, problems):
        for problem in problems:
            _fail(problem)

    try:
        report = run_batch(found, destination, pipeline, on_outcome)
    except PipeClosed:  # | head: the reader has all it wants
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):  # no real stdout (tests)
            pass
        return EXIT_FAILED
    click.echo(f"{report.tally()}; {destination.describe()}", err=True)
    _missing_models_hint(report)
    return EXIT_OK if report.ok else EXIT_FAILED


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("folder", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--title", default="News digest", show_default=True, help="The page's heading.")
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


# --- feed ---

FEED_EXIT_CODES_HELP = (
    "Exit codes: 0 every feed and item done (also when there was nothing new); 1 some feed or "
    "item failed (the others are done and written; failed items are retried next run); "
    "2 usage error; 75 another run holds the state or writes to DIR (nothing done; try later)."
)


@cli.command(epilog=FEED_EXIT_CODES_HELP)
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@targets_option
@click.option("--output", "-o", "output", required=True, type=click.Path(file_okay=False),
              help="Output folder: DIR/<feed>/<item>.json|.LANG.md and DIR/<feed>.LANG.atom.")
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="SQLite state file [default: feeds.sqlite3 in $TRANSLATE_PIPELINE_HOME].")
@click.option("--max-items", type=click.IntRange(min=1), default=None, metavar="N",
              help="At most N items per feed and run, oldest first; the rest wait for the next run.")
@click.option("--fetch-article", is_flag=True,
              help="Fetch each item's link and translate the page's main text (trafilatura).")
@click.option("--wait", type=click.FloatRange(0, 3600), default=10.0, show_default=True,
              metavar="SECONDS", help="Wait this long for a run holding the state, then exit 75.")
@click.option("--timeout", type=click.FloatRange(1, 600), default=30.0, show_default=True,
              metavar="SECONDS", help="Network timeout per request.")
@click.option("--quiet", "-q", is_flag=True, help="No closing tally (errors and warnings still shown).")
@cluster_option
@summary_options
@reports_errors
def feed(sources, targets, output: Path, state_path, max_items, fetch_article, wait, timeout, quiet,
         cluster, sentences, algorithm, source_language, device, threads, compute_type,
         translate_mode, no_cache) -> int:
    """Follow RSS/Atom feeds: translate and summarize each new item once (made for cron).

    SOURCE is a feed URL, a feed file, or an OPML file (or URL) listing feeds. Each item is
    written as by 'run' under DIR/<feed slug>/, and each feed gets a translated Atom feed per
    --to language, DIR/<feed slug>.LANG.atom (newest 50 items). The state (a SQLite file) keeps
    what was done; a rerun with nothing new fetches conditionally and translates nothing.

    \b
    Examples:
      translate-pipeline feed https://example.org/news.rss --to en -o /srv/feeds
      translate-pipeline feed feeds.opml --to en --to uk -o out --max-items 20 --quiet
      translate-pipeline feed news.xml --to de -o out --state /var/lib/tp/feeds.sqlite3
      translate-pipeline feed feeds.opml --to en -o /shared/feeds --cluster local:4
    """
    from contextlib import nullcontext

    from translate_pipeline.feeds.run import FeedOptions, run_feeds
    from translate_pipeline.feeds.state import StateLocked, open_state

    spec = _cluster_spec(cluster)
    output = _destination(output, urls=False, stdout=False).path

    try:
        state = open_state(state_path, wait=wait)
    except StateLocked as exc:
        _fail(str(exc))
        return EXIT_LOCKED
    def pipeline():  # loaded only when some item needs work
        return _pipeline(targets, sentences, algorithm, source_language, device, threads,
                         compute_type, translate_mode, no_cache)

    options = FeedOptions(output=output, targets=tuple(targets), max_items=max_items,
                          fetch_article=fetch_article, timeout=timeout,
                          source_language=source_language)
    processor = nullcontext()
    if spec is not None:  # one task per feed; connects only when some item needs work
        from translate_pipeline.cluster.client import FeedProcessor, Job

        settings, engine_options, cache = _pipeline_parts(
            targets, sentences, algorithm, source_language, device, threads, compute_type,
            translate_mode, no_cache)
        processor = FeedProcessor(spec, Job(settings, engine_options, cache=cache))
    from translate_pipeline.errors import OutputLockedError
    from translate_pipeline.outputs.local import output_lock

    try:  # the output folder's lock too: a run (or another state's feed) may be writing there
        with state, output_lock(output), processor:
            report = run_feeds(sources, state, pipeline, options,
                               lambda level, message: click.echo(f"{level}: {message}", err=True),
                               process=processor if spec is not None else None)
    except OutputLockedError as exc:
        _fail(str(exc))
        return EXIT_LOCKED
    if not quiet:
        click.echo(
            f"feeds {report.feeds} ({report.not_modified} not modified, {report.failed_feeds} "
            f"failed); items done {report.done}, partial {report.partial}, failed {report.failed}, "
            f"skipped {report.skipped}, left for the next run {report.deferred}; "
            f"outputs in {output}",
            err=True,
        )
    return EXIT_OK if report.ok else EXIT_FAILED


@cli.group()
def models() -> None:
    """List, install and remove Argos translation models.

    \b
    Examples:
      translate-pipeline models list
      translate-pipeline models install translate-en_de-1_0.argosmodel
      translate-pipeline models install en de
      translate-pipeline models remove en de
    """


@models.command("list", epilog=EXIT_CODES_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
def models_list(fmt: str) -> int:
    """List installed models (and the pairs reachable through a pivot)."""
    from translate_pipeline.config import argos_packages_dir
    from translate_pipeline.translate.packages import list_installed

    installed = list_installed()
    if fmt == "json":
        for pkg in installed:
            click.echo(json.dumps({"from": pkg.from_code, "to": pkg.to_code, "version": pkg.version,
                                   "name": pkg.name, "path": str(pkg.path)}))
        return EXIT_OK
    if not installed:
        click.echo(f"no models installed in {argos_packages_dir()}")
        click.echo("install one: translate-pipeline models install FROM TO  (online)")
        click.echo("         or: translate-pipeline models install FILE.argosmodel")
    for pkg in installed:
        click.echo(f"{pkg.from_code} -> {pkg.to_code}\t{pkg.version}\t{pkg.path}")
    return EXIT_OK


@models.command("install", epilog=EXIT_CODES_HELP)
@click.argument("source", metavar="PATH.argosmodel | FROM")
@click.argument("target", required=False, metavar="[TO]")
@reports_errors
def models_install(source: str, target: str | None) -> int:
    """Install a model from a .argosmodel file, or FROM TO from the Argos package index (online).

    \b
    Examples:
      translate-pipeline models install ~/Downloads/translate-de_en-1_9.argosmodel
      translate-pipeline models install de en
    """
    from translate_pipeline.translate.packages import install_file, install_from_index

    if target is None:
        path = Path(source)
        if not path.is_file():
            raise click.BadParameter(
                f"{source} is not a file; give PATH.argosmodel, or FROM TO to download",
                param_hint="PATH.argosmodel | FROM",
            )
        pkg = install_file(path)
    else:
        pkg = install_from_index(language_code(None, None, source), language_code(None, None, target))
    click.echo(f"installed {pkg.from_code} -> {pkg.to_code} {pkg.version} in {pkg.path}")
    return EXIT_OK


@models.command("remove", epilog=EXIT_CODES_HELP)
@click.argument("source", metavar="FROM", callback=language_code)
@click.argument("target", metavar="TO", callback=language_code)
@reports_errors
def models_remove(source: str, target: str) -> int:
    """Remove the installed FROM -> TO model."""
    from translate_pipeline.translate.packages import remove

    pkg = remove(source, target)
    click.echo(f"removed {pkg.from_code} -> {pkg.to_code} {pkg.version}")
    return EXIT_OK


@cli.group()
def cache() -> None:
    """Inspect or clear the sentence translation cache (a SQLite translation memory).

    Its file is $TRANSLATE_PIPELINE_CACHE, else translations.sqlite3 in the data directory
    ($TRANSLATE_PIPELINE_HOME, default ~/.local/share/translate-pipeline).

    \b
    Examples:
      translate-pipeline cache stats
      translate-pipeline cache clear
    """


@cache.command("stats", epilog=EXIT_CODES_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
def cache_stats(fmt: str) -> int:
    """Show where the cache is, how many sentences it holds, per model."""
    from translate_pipeline.translate.cache import TranslationMemory

    stats = TranslationMemory().stats()
    if fmt == "json":
        click.echo(json.dumps({"path": str(stats.path), "entries": stats.entries,
                               "size_bytes": stats.size_bytes, "packages": dict(stats.packages)}))
        return EXIT_OK
    click.echo(f"{stats.path}: {stats.entries} sentences, {stats.size_bytes / 1024:.0f} KiB")
    for package, count in stats.packages:
        click.echo(f"  {package}\t{count}")
    return EXIT_OK


@cache.command("clear", epilog=EXIT_CODES_HELP)
@reports_errors
def cache_clear() -> int:
    """Delete every cached translation."""
    from translate_pipeline.translate.cache import TranslationMemory

    memory = TranslationMemory()
    removed = memory.clear()
    click.echo(f"removed {removed} cached sentences from {memory.path}")
    return EXIT_OK


def main() -> None:
    cli(prog_name="translate-pipeline")
