"""The configuration file: defaults for every option (and argument) of every command, as TOML.

Which file: ``--config FILE`` (a global option, before the command), else
``$TRANSLATE_PIPELINE_CONFIG``, else ``$XDG_CONFIG_HOME/translate-pipeline/config.toml`` when it
exists (:func:`translate_pipeline.config.config_file`). The file mirrors the command tree: its
top level is the ``translate-pipeline`` group, a table per command (``[run]``, ``[feed]``,
``[models.list]``, ...) holds that command's keys, and a key outside a command's table is shared
by every command below it that has that option (a table's own key wins). A key is the option's
long flag without its dashes (``to``, ``sentences``, ``max-items``, ``no-cache``; ``max_items``
is the same key), or an argument's name (``inputs``, ``sources``). Nothing here knows the options:
they are read from the click commands, so an option added later is covered as it is.

Precedence: flag > environment variable > file > default. The file's values go into click's
``default_map``, which click consults after the command line and its own ``envvar``; options whose
environment variable the library reads itself (``--device``: ``TRANSLATE_PIPELINE_DEVICE``) are
:class:`EnvironmentOption` and get the file's value only when their variable is unset.

Every value is checked when the file is read, whatever the command: its TOML type, then the
option's own type (a choice, a range, a language code). A file that is not TOML, an unknown
table or key, or a bad value is one ``error:`` line naming the file, the line and the key, exit 2.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from translate_pipeline.errors import ConfigError, one_line

__all__ = ["EnvironmentOption", "config_option", "load_config"]

EXIT_USAGE = 2

class EnvironmentOption(click.Option):
    """An option that, when no flag gives it, the library reads from ``environment`` (a variable
    such as ``TRANSLATE_PIPELINE_DEVICE``) itself: the configuration file's value is used only
    when that variable is unset or empty, so the environment overrides the file."""

    def __init__(self, *args: Any, environment: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.environment = environment


def config_option(command):
    """``--config FILE`` for the ``translate-pipeline`` group: read before any other option, it
    sets the group's ``default_map`` from the file (or from the default file when not given)."""
    return click.option(
        "--config", "config_path", metavar="FILE", type=click.Path(dir_okay=False),
        is_eager=True, expose_value=False, callback=_config_callback,
        help="Defaults for every command's options, as TOML [env TRANSLATE_PIPELINE_CONFIG; "
             "default $XDG_CONFIG_HOME/translate-pipeline/config.toml].",
    )(command)


def _config_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if ctx.resilient_parsing:  # shell completion
        return
    from translate_pipeline.config import config_file

    if value is not None:
        path, required = Path(value), True
    else:
        path, required = config_file()
        if required and not path.exists():  # named by TRANSLATE_PIPELINE_CONFIG
            click.echo(f"error: {one_line(str(path))}: no such configuration file (named by "
                       "TRANSLATE_PIPELINE_CONFIG)", err=True)
            ctx.exit(EXIT_USAGE)
    if not required and not path.is_file():
        return
    try:
        ctx.default_map = {**(ctx.default_map or {}), **load_config(path, ctx.command)}
    except ConfigError as exc:  # a usage error, one line
        click.echo(f"error: {exc}", err=True)
        ctx.exit(EXIT_USAGE)


def load_config(path: Path, root: click.Command) -> dict[str, Any]:
    """``path`` read and checked against the commands under ``root``: a click ``default_map``
    (per command name a dict of parameter name to value). Raises :class:`ConfigError`."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), "no such configuration file") from None
    except IsADirectoryError:
        raise ConfigError(str(path), "is a folder, not a configuration file") from None
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read it: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}", "not UTF-8 text") from None
    if sys.version_info >= (3, 11):  # imported only when there is a file
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(path, text, exc) from None
    return _Reader(path, text).table(root, data, (), {})


def _syntax_error(path: Path, text: str, exc: Exception) -> ConfigError:
    message = str(exc)
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if found is None:
        found = re.search(r"\s*\(at end of document\)$", message)
        line = getattr(exc, "lineno", None) or text.count("\n") + 1
    else:
        line = int(found.group(1))
    reason = message[:found.start()] if found else message
    source = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
    key = re.match(r"\s*([A-Za-z0-9_.\"'-]+)\s*=", source)
    where = f" (key {key.group(1).strip(chr(34) + chr(39))!r})" if key else ""
    return ConfigError(f"{path}:{line}", f"not valid TOML{where}: {reason[:1].lower()}{reason[1:]}")


_HEADER = re.compile(r"\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_PART = r"(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')"
_KEY = re.compile(rf"\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.findall(
        r"\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*\.?", text))


def _locations(text: str) -> dict[tuple[str, ...], int]:
    """Where each table and key starts (its line): for messages only, the values come from
    tomllib. A key on a line of a multi-line string or array may be missed: then the message
    gives its table's line."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            table = _dotted(header.group(1))
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            lines.setdefault(table + _dotted(key.group(1)), number)
    return lines


def _key_name(param: click.Parameter) -> str:
    """A parameter's key in the file: its long flag without the dashes, else its name."""
    if isinstance(param, click.Option):
        long = [opt for opt in param.opts if opt.startswith("--")]
        if long:
            return long[0][2:]
    return (param.name or "").strip("_").replace("_", "-")


def _params(command: click.Command) -> dict[str, click.Parameter]:
    """The parameters a file may set: all but the eager ones (``--version``, ``--config``).
    An option that does not reach the function (``expose_value=False``, its callback keeps the
    value) is set too: click runs its callback with the file's value."""
    return {_key_name(p): p for p in command.params if p.name and not p.is_eager}


def _subtree_keys(command: click.Command) -> set[str]:
    keys = set(_params(command))
    for sub in getattr(command, "commands", {}).values():
        keys |= _subtree_keys(sub)
    return keys


_TOML_TYPES = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}


class _Reader:
    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = _locations(text)

    def line(self, where: tuple[str, ...]) -> int:
        """The line of ``where`` (a key or table), else of the nearest table around it."""
        return next((self.lines[where[:n]] for n in range(len(where), 0, -1)
                     if where[:n] in self.lines), 1)

    def error(self, where: tuple[str, ...], message: str) -> ConfigError:
        at = f"{self.path}:{self.line(where)}"
        if not where:
            return ConfigError(at, message)
        table = f" in [{'.'.join(where[:-1])}]" if len(where) > 1 else ""
        return ConfigError(at, f"key {where[-1]!r}{table}: {message}")

    def table(self, command: click.Command, data: Mapping[str, Any], where: tuple[str, ...],
              shared: dict[str, tuple[Any, tuple[str, ...]]]) -> dict[str, Any]:
        subcommands = getattr(command, "commands", {})
        keys = _subtree_keys(command)
        own: dict[str, tuple[Any, tuple[str, ...]]] = {}
        tables: dict[str, Mapping[str, Any]] = {}
        for raw, value in data.items():
            name = raw.replace("_", "-")
            if name in subcommands and isinstance(value, Mapping):
                tables[name] = value
            elif name in subcommands:
                raise self.error(where + (raw,), f"is a command: make it a table "
                                                 f"[{'.'.join(where + (name,))}]")
            elif name in own:
                raise self.error(where + (raw,), "given twice (as - and as _)")
            elif name in keys:
                own[name] = (value, where + (raw,))
            elif isinstance(value, Mapping):
                known = ", ".join(f"[{'.'.join(where + (c,))}]" for c in subcommands)
                raise ConfigError(
                    f"{self.path}:{self.line(where + (raw,))}",
                    f"unknown table [{'.'.join(where + (raw,))}]; "
                    + (f"the tables are the commands: {known}" if known
                       else f"{' '.join(where)} has no subcommands"))
            else:
                known = ", ".join(sorted(keys | set(subcommands)))
                raise self.error(where + (raw,), f"unknown key; the keys here are: {known}")
        merged = {**shared, **own}
        defaults: dict[str, Any] = {}
        params = _params(command)
        for name, (value, at) in merged.items():
            if name in params:
                checked = self.value(command, params[name], value, at, where)
                environment = getattr(params[name], "environment", None)
                if not (environment and os.environ.get(environment)):
                    defaults[params[name].name] = checked
        for name, sub in subcommands.items():
            found = self.table(sub, tables.get(name, {}), where + (name,), merged)
            if found:
                defaults[name] = found
        return defaults

    def value(self, command: click.Command, param: click.Parameter, value: Any,
              where: tuple[str, ...], path: tuple[str, ...] = ()) -> Any:
        """``value`` checked as the option would check it; lists for repeatable options.
        ``path``: the command's; when the key is a shared one from a table above it, the
        message says for which command the value does not do."""
        try:
            return self._value(command, param, value, where)
        except ConfigError as exc:
            if where[:-1] == path:
                raise
            raise ConfigError(exc.subject, f"{exc.reason} (for '{' '.join(path)}': give it its "
                                           f"own value in [{'.'.join(path)}])") from None

    def _value(self, command: click.Command, param: click.Parameter, value: Any,
               where: tuple[str, ...]) -> Any:
        many = getattr(param, "multiple", False) or param.nargs != 1
        items = value if isinstance(value, list) and many else [value]
        if isinstance(value, list) and not many:
            raise self.error(where, f"must be {self._expected(param)}, not a list")
        expected = self._python_type(param)
        for item in items:
            if not isinstance(item, expected) or (isinstance(item, bool) and expected is not bool):
                got = ("a list" if isinstance(item, list) else
                       "a table" if isinstance(item, Mapping) else repr(item))
                also = " (or a list of them)" if many else ""
                raise self.error(where, f"must be {self._expected(param)}{also}, not {got}")
        ctx = click.Context(command, info_name=command.name, resilient_parsing=True)
        try:
            converted = [item if isinstance(param.type, (click.Path, click.File))
                         else param.type.convert(item, param, ctx) for item in items]
            if param.callback is not None:
                param.callback(ctx, param, tuple(converted) if many else converted[0])
        except click.BadParameter as exc:
            raise self.error(where, exc.message) from None
        return list(items) if many else items[0]

    @staticmethod
    def _python_type(param: click.Parameter) -> type:
        kind = param.type
        if isinstance(param, click.Option) and (param.is_flag or param.count):
            return int if param.count else bool
        if isinstance(kind, click.types.BoolParamType):
            return bool
        if isinstance(kind, click.types.IntParamType):
            return int
        if isinstance(kind, click.types.FloatParamType):
            return (int, float)  # type: ignore[return-value]
        return str

    def _expected(self, param: click.Parameter) -> str:
        kind = self._python_type(param)
        if isinstance(kind, tuple):
            return "a number"
        if isinstance(param.type, click.Choice):
            return "one of " + ", ".join(repr(c) for c in param.type.choices)
        return _TOML_TYPES[kind]
