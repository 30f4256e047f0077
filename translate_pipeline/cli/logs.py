"""Logging for operators: ``-v``/``-vv``/``-q`` and ``--log-file``, accepted by the group and
by every command (``translate-pipeline -v run ...`` and ``translate-pipeline run ... -v`` alike).

The library only logs (``logging.getLogger("translate_pipeline...")``, never configured there);
this module decides where the records go, once per command, just before it runs:

- no ``-v``: warnings as ``warning: ...`` lines on stderr (errors are the commands' own lines);
- ``-v``: every INFO record on stderr (one line per article: source, languages, outcome,
  seconds), ``-vv``: DEBUG too; each line starts with an ISO 8601 timestamp;
- ``--log-file PATH`` (or ``$TRANSLATE_PIPELINE_LOG_FILE``): the same timestamped lines, INFO
  (DEBUG with ``-vv``), appended to PATH: for cron, whose mail then holds only the problems.
"""

from __future__ import annotations

import datetime
import logging
import os
import sys
from collections.abc import Callable

import click
from click.core import ParameterSource

from translate_pipeline.errors import one_line

__all__ = ["LOG_FILE_ENV", "log_options", "quiet_option", "is_quiet", "setup_logging"]

LOG_FILE_ENV = "TRANSLATE_PIPELINE_LOG_FILE"
_META = "translate_pipeline.log"  # in the root context's meta: what the options asked for


def _asked(ctx: click.Context) -> dict:
    return ctx.find_root().meta.setdefault(_META, {"verbose": 0, "quiet": False, "file": None})


def _count_verbose(ctx, param, value):
    asked = _asked(ctx)
    if ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE:
        asked["verbose"] += value or 0  # -v before and after the command add up
    else:  # a configuration file's default, which the group and the command both get
        asked["verbose"] = max(asked["verbose"], value or 0)
    return value


def _note_quiet(ctx, param, value):
    if value:
        _asked(ctx)["quiet"] = True
    return value


def _note_log_file(ctx, param, value):
    if value:
        _asked(ctx)["file"] = value
    return value


def log_options(command: Callable | None = None, *, quiet: bool = True):
    """``-v``, ``--log-file`` and (unless the command has its own, see :func:`quiet_option`)
    ``-q``; none reaches the command as an argument."""

    def decorate(command: Callable) -> Callable:
        decorators = [
            click.option("-v", "--verbose", count=True, expose_value=False,
                         callback=_count_verbose,
                         help="Log details to stderr with ISO timestamps: one line per article "
                              "(source, languages, outcome, seconds); -vv: debug."),
            click.option("--log-file", metavar="PATH", expose_value=False, envvar=LOG_FILE_ENV,
                         callback=_note_log_file,
                         help=f"Append the log (as -v prints it) to PATH [env {LOG_FILE_ENV}]."),
        ]
        if quiet:
            decorators.append(quiet_option("No progress or closing lines; errors and warnings "
                                           "are still printed.", expose=False))
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return decorate(command) if command is not None else decorate


def quiet_option(help: str, *, expose: bool = True):
    """``-q``/``--quiet``; ``translate-pipeline -q CMD`` means the same (see :func:`is_quiet`)."""
    return click.option("--quiet", "-q", is_flag=True, expose_value=expose, callback=_note_quiet,
                        help=help)


def is_quiet() -> bool:
    """Whether ``-q`` was given, to the group or to the command."""
    return _asked(click.get_current_context())["quiet"]


class _IsoFormatter(logging.Formatter):
    """``2025-06-02T10:00:00+02:00 INFO translate_pipeline.batch: ...``, one line per record
    (control characters escaped; a traceback, at -vv, follows on its own lines)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatTime(self, record, datefmt=None):  # noqa: N802 (logging's name)
        moment = datetime.datetime.fromtimestamp(record.created).astimezone()
        return moment.isoformat(timespec="seconds")

    def formatMessage(self, record):  # noqa: N802
        return one_line(super().formatMessage(record))


class _WarningLines(logging.Handler):
    """The library's warnings (a corrupt cache moved aside, an output folder not read back,
    a broken package skipped) as ``warning: ...`` lines on stderr, when not -v."""

    def __init__(self):
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(f"warning: {one_line(record.getMessage())}", err=True)
        except Exception:
            self.handleError(record)


_OURS = "_translate_pipeline_cli"


def setup_logging() -> None:
    """Route the library's log records as the options asked (see the module docstring); the
    handlers go when the command's context closes. A log file that cannot be opened is a usage
    error (exit 2)."""
    ctx = click.get_current_context()
    asked = _asked(ctx)
    verbose, path = asked["verbose"], asked["file"] or os.environ.get(LOG_FILE_ENV) or None
    logger = logging.getLogger("translate_pipeline")
    _remove_handlers(logger)
    handlers: list[logging.Handler] = []
    detail = logging.DEBUG if verbose > 1 else logging.INFO
    if verbose:
        stream = logging.StreamHandler(sys.stderr)
        stream.setLevel(detail)
        stream.setFormatter(_IsoFormatter())
        handlers.append(stream)
    else:
        handlers.append(_WarningLines())
    if path:
        try:
            file = logging.FileHandler(path, mode="a", encoding="utf-8")
        except OSError as exc:
            raise click.BadParameter(f"cannot open {path}: {exc.strerror or exc}",
                                     param_hint="--log-file") from None
        file.setLevel(detail)
        file.setFormatter(_IsoFormatter())
        handlers.append(file)
    for handler in handlers:
        setattr(handler, _OURS, True)
        logger.addHandler(handler)
    previous, needed = logger.level, min(h.level for h in handlers)
    if previous == logging.NOTSET or previous > needed:  # never less than someone else set
        logger.setLevel(needed)
    ctx.call_on_close(lambda: _remove_handlers(logger, previous))


def _remove_handlers(logger: logging.Logger, level: int | None = None) -> None:
    for handler in [h for h in logger.handlers if getattr(h, _OURS, False)]:
        logger.removeHandler(handler)
        handler.close()
    if level is not None:
        logger.setLevel(level)
