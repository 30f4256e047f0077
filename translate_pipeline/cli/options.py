"""What the commands share: exit codes, error lines, option decorators, and the one place a
:class:`~translate_pipeline.pipeline.RunConfig` is built from flags, environment and defaults.

Precedence for every setting: the command-line flag, then its environment variable, then the
configuration file (:mod:`~translate_pipeline.cli.configfile`), then the default (see
:mod:`translate_pipeline.config`).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import click

from translate_pipeline.cli.configfile import EnvironmentOption
from translate_pipeline.errors import PipelineError, one_line, with_advice

__all__ = [
    "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE", "EXIT_LOCKED", "EXIT_PIPE_CLOSED", "forget_stdout",
    "ALGORITHMS",
    "fail", "reports_errors", "missing_models_lines", "echo_missing_models", "language_code",
    "targets_option", "cluster_option",
    "summary_options", "translation_options", "SummaryFlags", "cluster_spec", "output_destination", "run_config",
    "jobs_option",
    "make_pipeline",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run holds the output folder (run, feed) or the state (feed)
#: The reader of stdout went away (``| head``): the shell's code for a process ended by SIGPIPE.
EXIT_PIPE_CLOSED = 141
ALGORITHMS = ("news", "lexrank", "lsa", "textrank", "luhn", "sumbasic", "kl", "lead")



def fail(message: str) -> None:
    """One ``error: ...`` line on stderr."""
    click.echo(f"error: {one_line(message)}", err=True)


def missing_models_lines(missing) -> list[str]:
    """The ``missing models:`` block, printed once after a run's tally: the commands whose
    models would add the missing languages, most needed first. ``missing``:
    ``((from, to), articles)`` pairs, as :func:`translate_pipeline.batch.most_needed` sorts them.
    Each article's own error line stays short (``not translated to uk: no model en->uk``)."""
    if not missing:
        return []
    width = max(len(f"{a} {b}") for (a, b), _ in missing)
    lines = ["missing models: install them, then run the same command again to add the "
             "missing languages"]
    for (a, b), n in missing:
        lines.append(f"  translate-pipeline models install {f'{a} {b}':<{width}}"
                     f"   # {n} article{'s' if n != 1 else ''}")
    lines.append("  (offline: translate-pipeline models install FILE.argosmodel)")
    return lines


def echo_missing_models(missing) -> None:
    """:func:`missing_models_lines` on stderr."""
    for line in missing_models_lines(missing):
        click.echo(line, err=True)


def reports_errors(command: Callable[..., int | None]) -> Callable[..., None]:
    """Turn library errors into one stderr line and exit 1, and a reader of stdout that went
    away (``| head``) into exit 141 with nothing more printed; the command's return is the
    exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        from translate_pipeline.cli.logs import setup_logging

        setup_logging()
        try:
            code = command(*args, **kwargs)
            sys.stdout.flush()  # here, so that a reader gone away is seen here
        except PipelineError as exc:
            fail(with_advice(exc))
            code = EXIT_FAILED
        except BrokenPipeError:  # | head: the reader has all it wants
            forget_stdout()
            code = EXIT_PIPE_CLOSED
        sys.exit(code or EXIT_OK)

    return wrapper


def forget_stdout() -> None:
    """After the reader of stdout went away: nothing more goes there, not even Python's flush
    at exit (which would print a BrokenPipeError)."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real stdout (tests), or closed
        pass


def language_code(ctx, param, value):
    """``--to``/``--from`` as ISO 639-1 codes (``DE`` -> ``de``, ``en-GB`` -> ``en``); a language
    name suggests its code and an unknown code lists the installed models' languages (exit 2)."""
    if value is None:
        return None
    from translate_pipeline.errors import LanguageCodeError
    from translate_pipeline.nlp.languages import normalize_code

    values = value if isinstance(value, tuple) else (value,)
    cleaned = []
    for code in values:
        try:
            cleaned.append(normalize_code(code))
        except LanguageCodeError as exc:
            message = f"{code!r} {exc.reason}"
            if exc.suggestion is None:
                message += "; " + _installed_languages()
            raise click.BadParameter(message) from None
    return tuple(dict.fromkeys(cleaned)) if isinstance(value, tuple) else cleaned[0]


def _installed_languages() -> str:
    from translate_pipeline.translation.packages import list_installed

    try:
        codes = sorted({code for p in list_installed() for code in p.pair})
    except PipelineError:
        codes = []
    if not codes:
        return "no translation models are installed (translate-pipeline models list)"
    return "the installed models translate " + ", ".join(codes)


targets_option = click.option(
    "--to", "targets", multiple=True, required=True, callback=language_code, metavar="LANG",
    help="Target language (repeatable).",
)


cluster_option = click.option(
    "--cluster", metavar="ADDRESS|local[:N]", default=None,
    help="Run on a Dask cluster: a scheduler address (tcp://scheduler:8786), or local[:N] for N "
         "worker processes on this machine (default: one per core). Needs "
         "pip install -e '.[dask]' in the checkout; outputs must be on storage every worker "
         "sees.",
)


@dataclass(frozen=True)
class SummaryFlags:
    """The values of the options :func:`summary_options` adds (``None``: not given)."""

    sentences: int
    algorithm: str
    source_language: str | None
    device: str | None
    threads: int | None
    compute_type: str | None
    translate_mode: str
    no_cache: bool


def summary_options(command: Callable) -> Callable:
    """Options shared by the commands that summarize and translate; the command receives them
    as one ``flags`` (:class:`SummaryFlags`)."""
    return _flag_options(command, summary=True)


def translation_options(command: Callable) -> Callable:
    """:func:`summary_options` less the summary's own (``--sentences``, ``--algorithm``,
    ``--translate``): for ``translate``, which prints the whole translation."""
    return _flag_options(command, summary=False)


def _flag_options(command: Callable, *, summary: bool) -> Callable:
    names = [f.name for f in SummaryFlags.__dataclass_fields__.values()]
    fixed = {} if summary else {"sentences": 1, "algorithm": "lead", "translate_mode": "full"}

    @functools.wraps(command)
    def gathered(*args: Any, **kwargs: Any):
        flags = SummaryFlags(**{name: fixed[name] if name in fixed else kwargs.pop(name)
                                for name in names})
        return command(*args, flags=flags, **kwargs)

    summary_decorators = [
        click.option("--sentences", "-n", type=click.IntRange(1, 50), default=3, show_default=True,
                     help="Sentences per summary."),
        click.option("--algorithm", type=click.Choice(ALGORITHMS), default="news", show_default=True,
                     help="Summary algorithm; 'news': the lede, then the most central and "
                          "headline-like sentences, never a dateline, byline or credit."),
    ]
    decorators = [
        *(summary_decorators if summary else []),
        click.option("--from", "source_language", callback=language_code, metavar="LANG",
                     help="Source language; skips detection."),
        click.option("--device", cls=EnvironmentOption, environment="TRANSLATE_PIPELINE_DEVICE",
                     type=click.Choice(["auto", "cpu", "cuda"]), default=None,
                     help="Where CTranslate2 runs [env TRANSLATE_PIPELINE_DEVICE; default auto]."),
        click.option("--threads", cls=EnvironmentOption, environment="TRANSLATE_PIPELINE_THREADS",
                     type=click.IntRange(0, 256), default=None,
                     help="CPU threads, 0 = all cores [env TRANSLATE_PIPELINE_THREADS; default 0]."),
        click.option("--compute-type", cls=EnvironmentOption,
                     environment="TRANSLATE_PIPELINE_COMPUTE_TYPE", default=None, metavar="TYPE",
                     help="CTranslate2 compute type: auto (int8 on cpu), int8, float32, float16, ... "
                          "[env TRANSLATE_PIPELINE_COMPUTE_TYPE]."),
        click.option("--no-cache", is_flag=True,
                     help="Do not read or write the sentence translation cache."),
    ]
    if summary:
        decorators.insert(-1, click.option(
            "--translate", "translate_mode", type=click.Choice(["full", "summary"]),
            default="full", show_default=True,
            help="summary: translate only titles and summary sentences (much less work)."))
    for decorator in reversed(decorators):
        gathered = decorator(gathered)
    return gathered


jobs_option = click.option(
    "--jobs", "-j", cls=EnvironmentOption, environment="TRANSLATE_PIPELINE_JOBS",
    type=click.IntRange(1, 256), default=None, metavar="N",
    help="Processes that read, detect, split, summarize and write articles while this one "
         "translates; 1: all in this process [env TRANSLATE_PIPELINE_JOBS; default: the usable "
         "cores]. Outputs are the same for any N.",
)


def run_config(targets: Sequence[str], flags: SummaryFlags, *, window: bool = False,
               formats: Sequence[str] = (), jobs: int | None = None):
    """The run's :class:`~translate_pipeline.pipeline.RunConfig`, built once here: each flag,
    else its environment variable, else the default. ``window``: read
    ``TRANSLATE_PIPELINE_WINDOW`` (``run``: articles translated together) and ``--jobs``
    (``jobs``, else ``TRANSLATE_PIPELINE_JOBS``, else the usable cores). Usage errors exit 2."""
    from translate_pipeline.config import env_whole_number, usable_cores
    from translate_pipeline.pipeline import RunConfig, Settings
    from translate_pipeline.translation.engine import EngineOptions

    windows = {}
    if window:
        try:
            windows["window_articles"] = env_whole_number("TRANSLATE_PIPELINE_WINDOW", 64)
            windows["jobs"] = jobs or env_whole_number("TRANSLATE_PIPELINE_JOBS", usable_cores())
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    settings = Settings(
        targets=tuple(targets), sentences=flags.sentences, algorithm=flags.algorithm,
        source_language=flags.source_language, translate=flags.translate_mode,
        documents="document" in formats,
    )
    try:
        engine = EngineOptions.from_env(device=flags.device, threads=flags.threads,
                                        compute_type=flags.compute_type)
    except ValueError as exc:  # TRANSLATE_PIPELINE_THREADS=abc
        raise click.UsageError(str(exc)) from None
    return RunConfig(settings=settings, engine=engine, cache=not flags.no_cache,
                     formats=tuple(formats), **windows)


def make_pipeline(config):
    """The pipeline of ``config``; a device or compute type asked for explicitly that this
    machine cannot give is a usage error now (exit 2), not once per article."""
    from translate_pipeline.pipeline import build_pipeline

    options = config.engine
    if config.settings.targets and (options.device == "cuda" or options.compute_type != "auto"):
        try:
            options.resolved()
        except PipelineError as exc:
            raise click.UsageError(str(exc)) from None
    return build_pipeline(config)


def cluster_spec(value: str | None):
    """The ClusterSpec of --cluster, or None; usage errors exit 2."""
    if value is None:
        return None
    from translate_pipeline.cluster import client as cluster
    from translate_pipeline.errors import DaskMissing

    try:
        spec = cluster.parse_cluster(value)
        cluster.partition_limits()
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--cluster") from None
    try:
        cluster.require_dask()
    except DaskMissing as exc:
        raise click.UsageError(str(exc)) from None
    return spec


def output_destination(text: str, *, urls: bool, stdout: bool):
    """The Destination of --output (see outputs.destination.choose_destination); a URL where
    ``urls`` (run), ``-`` for stdout where ``stdout`` (run). Usage errors exit 2."""
    from translate_pipeline.outputs.destination import choose_destination
    from translate_pipeline.errors import OutputUsageError

    if not text.strip():  # an empty --output would write into the current folder
        raise click.BadParameter("is empty: name a folder (or - for stdout)",
                                 param_hint="--output")
    try:
        return choose_destination(text, urls=urls, stdout=stdout)
    except OutputUsageError as exc:
        raise click.BadParameter(str(exc), param_hint="--output") from None
