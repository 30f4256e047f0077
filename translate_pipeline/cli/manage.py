"""``models`` (list, available, install, update, remove Argos packages) and ``cache`` (the
translation memory)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from translate_pipeline.cli.logs import log_options
from translate_pipeline.cli.options import (
    EXIT_FAILED,
    EXIT_OK,
    fail,
    language_code,
    reports_errors,
)
from translate_pipeline.errors import one_line, with_advice

__all__ = ["models", "cache"]


@click.group()
def models() -> None:
    """List, find, install, upgrade and remove Argos translation models.

    The network is used only by 'install FROM TO', 'update' and 'available --refresh'; each
    fetch of the Argos package index is cached, so 'available' works offline.

    \b
    Examples:
      translate-pipeline models list
      translate-pipeline models available de
      translate-pipeline models available --refresh
      translate-pipeline models install en de
      translate-pipeline models install translate-en_de-1_0.argosmodel
      translate-pipeline models update
      translate-pipeline models remove en de
    """


@models.command("list", epilog="Exit codes: 0 listed (also when none is installed); 1 the models "
                               "folder cannot be read; 2 usage error; 141 the reader of stdout "
                               "went away.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@log_options
@reports_errors
def models_list(fmt: str) -> int:
    """List installed models, then the pairs reachable through a pivot (two installed models
    chained through English, else another installed language), marked 'pivot'.

    \b
    Examples:
      translate-pipeline models list           # FROM -> TO, version, folder
      translate-pipeline models list --format json | jq 'select(.pivot == null)'
    """
    from translate_pipeline.config import argos_packages_dir
    from translate_pipeline.translation.engine import Engine, EngineOptions
    from translate_pipeline.translation.packages import list_installed

    installed = list_installed()
    pivots = Engine(EngineOptions(), installed=installed).pivot_routes()
    if fmt == "json":
        for pkg in installed:
            click.echo(json.dumps({"from": pkg.from_code, "to": pkg.to_code, "version": pkg.version,
                                   "name": pkg.name, "path": str(pkg.path), "pivot": None,
                                   "route": [pkg.name]}))
        for (source, target), route in pivots.items():
            click.echo(json.dumps({"from": source, "to": target, "version": None, "name": None,
                                   "path": None, "pivot": route[0].to_code,
                                   "route": [leg.name for leg in route]}))
        return EXIT_OK
    if not installed:
        click.echo(f"no models installed in {one_line(str(argos_packages_dir()))}")
        click.echo("install one: translate-pipeline models install FROM TO  (online)")
        click.echo("         or: translate-pipeline models install FILE.argosmodel")
        click.echo("   see them: translate-pipeline models available")
    for pkg in installed:
        click.echo(f"{pkg.from_code} -> {pkg.to_code}\t{one_line(pkg.version)}\t"
                   f"{one_line(str(pkg.path))}")
    for (source, target), route in pivots.items():
        legs = " + ".join(one_line(leg.name) for leg in route)
        click.echo(f"{source} -> {target}\tpivot\tvia {route[0].to_code}: {legs}")
    return EXIT_OK


@models.command("available", epilog="Exit codes: 0 listed; 1 the index could not be fetched "
                                    "(--refresh: the cached copy is shown) or there is none; "
                                    "2 usage error; 141 the reader of stdout went away.")
@click.argument("language", required=False, metavar="[LANG]", callback=language_code)
@click.option("--refresh", is_flag=True,
              help="Fetch the index now (online) instead of reading the copy cached by the last "
                   "fetch.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@log_options
@reports_errors
def models_available(language: str | None, refresh: bool, fmt: str) -> int:
    """List the packages of the Argos index (only those from or into LANG, if given): name,
    pair, version, size, installed or not. Reads the index cached by the last fetch and says
    how old it is; --refresh fetches it first (and sizes the packages).

    \b
    Examples:
      translate-pipeline models available             # NAME, FROM -> TO, VERSION, SIZE, INSTALLED
      translate-pipeline models available uk
      translate-pipeline models available --refresh --format json
    """
    from translate_pipeline.translation.index import load
    from translate_pipeline.translation.packages import list_installed

    index = load(refresh=refresh, sizes=True)
    code = _index_warning(index, "showing")
    installed = {p.pair: p for p in list_installed()}
    shown = index.for_language(language) if language else index.packages
    about = f" ({len(shown)} from or into {language})" if language else ""
    click.echo(f"index {one_line(index.url)}, fetched {_when(index.fetched_at)}: "
               f"{len(index.packages)} packages{about}", err=True)
    if language and not shown:
        click.echo(f"no package in the index translates from or into {language}; its languages: "
                   f"{', '.join(index.languages()) or 'none'}", err=True)
    for entry in shown:
        have = installed.get(entry.pair)
        if fmt == "json":
            click.echo(json.dumps({
                "name": entry.name, "from": entry.from_code, "to": entry.to_code,
                "version": entry.version, "size": entry.size,
                "installed": have is not None and _same(have.version, entry.version),
                "installed_version": have.version if have else None, "links": list(entry.links),
            }))
            continue
        if have is None:
            state = "not installed"
        elif _same(have.version, entry.version):
            state = "installed"
        else:
            state = f"{one_line(have.version)} installed"
        click.echo(f"{one_line(entry.name)}\t{entry.from_code} -> {entry.to_code}\t"
                   f"{one_line(entry.version)}\t{_size(entry.size)}\t{state}")
    return code


@models.command("install", epilog="Exit codes: 0 installed (or already installed); 1 not installed "
                                  "(a bad file, no such pair in the index, offline); 2 usage "
                                  "error.")
@click.argument("source", metavar="PATH.argosmodel | FROM")
@click.argument("target", required=False, metavar="[TO]")
@click.option("--upgrade", is_flag=True,
              help="Reinstall even when that version is installed already (a newer version in "
                   "the index replaces the installed one without it).")
@log_options
@reports_errors
def models_install(source: str, target: str | None, upgrade: bool) -> int:
    """Install a model from a .argosmodel file, or FROM TO from the Argos package index (online).

    A model already installed at that version is left as it is (and says so); a newer version
    in the index, or a file of another version, replaces it atomically.

    \b
    Examples:
      translate-pipeline models install ~/Downloads/translate-de_en-1_9.argosmodel
      translate-pipeline models install de en
      translate-pipeline models install de en --upgrade     # download and reinstall it
    """
    from translate_pipeline.translation.index import install_pair
    from translate_pipeline.translation.packages import install

    if target is None:
        path = Path(source)
        if not path.is_file():
            raise click.BadParameter(
                f"{source} is not a file; give PATH.argosmodel, or FROM TO to download",
                param_hint="PATH.argosmodel | FROM",
            )
        outcome = install(path, reinstall=upgrade)
        if not outcome.changed:
            pkg = outcome.package
            click.echo(f"{_pair(pkg)} {one_line(pkg.version)} is already installed in "
                       f"{one_line(str(pkg.path))} (the version of {one_line(source)}); nothing "
                       "changed (--upgrade reinstalls it)")
            return EXIT_OK
        _say_installed(outcome)
        return EXIT_OK
    result = install_pair(language_code(None, None, source), language_code(None, None, target),
                          reinstall=upgrade, on_index=lambda index: _index_warning(index, "using"))
    if result.index is None:
        fail_reason = _fetch_failure(result.fetch_error)
        click.echo(f"warning: {fail_reason}, and no copy of it is cached; cannot tell whether a "
                   "newer version exists", err=True)
    outcome = result.outcome
    if outcome.changed:
        _say_installed(outcome)
        return EXIT_OK
    pkg, newest = outcome.package, result.newest
    where = (f"{_pair(pkg)} {one_line(pkg.version)} is already installed in "
             f"{one_line(str(pkg.path))}")
    if result.index is None:
        click.echo(f"{where}; nothing changed")
    elif newest is None:
        click.echo(f"{where}; the index lists no package for it; nothing changed")
    elif _same(newest.version, pkg.version):
        click.echo(f"{where}, the newest the index has; nothing changed (--upgrade reinstalls it)")
    else:
        click.echo(f"{where}, newer than the index's {one_line(newest.version)}; nothing changed")
    return EXIT_OK


@models.command("update", epilog="Exit codes: 0 upgraded or up to date; 1 the index could not be "
                                 "fetched (the cached copy was used) or an upgrade failed (that "
                                 "model left as it was); 2 usage error.")
@log_options
@reports_errors
def models_update() -> int:
    """Upgrade every installed model the Argos package index (online) has a newer version of,
    each atomically; says which, or that all are up to date.

    \b
    Examples:
      translate-pipeline models update
    """
    from translate_pipeline.config import argos_packages_dir
    from translate_pipeline.translation.index import update_all

    report = update_all(on_index=lambda index: _index_warning(index, "using"))
    code = EXIT_FAILED if report.index.fetch_error else EXIT_OK
    for outcome in report.upgraded:
        _say_installed(outcome)
    for failure in report.failed:
        fail(f"{failure.package.name}: not upgraded to {failure.newest.version} (left as it "
             f"was): {with_advice(failure.error)}")
        code = EXIT_FAILED
    for pkg in report.unlisted:
        click.echo(f"{_pair(pkg)} {one_line(pkg.version)}: not in the index, left as it is")
    if not (report.upgraded or report.failed):
        count = len(report.current) + len(report.unlisted)
        if count == 0:
            click.echo(f"no models installed in {one_line(str(argos_packages_dir()))}; nothing "
                       "to update")
        else:
            which = "the cached index" if report.index.fetch_error else "the index"
            models_are = ("the one installed model is" if count == 1
                          else f"all {count} installed models are")
            click.echo(f"{models_are} up to date with {which} fetched "
                       f"{_when(report.index.fetched_at)}")
    return code


def _pair(pkg) -> str:
    return f"{pkg.from_code} -> {pkg.to_code}"


def _same(a: str, b: str) -> bool:
    from translate_pipeline.translation.packages import version_key

    return version_key(a) == version_key(b)


def _say_installed(outcome) -> None:
    pkg, previous = outcome.package, outcome.previous
    where = f"in {one_line(str(pkg.path))}"
    if outcome.action in ("upgraded", "downgraded"):
        click.echo(f"{outcome.action} {_pair(pkg)} {one_line(previous.version)} -> "
                   f"{one_line(pkg.version)} {where}")
    else:  # installed, reinstalled
        click.echo(f"{outcome.action} {_pair(pkg)} {one_line(pkg.version)} {where}")


def _fetch_failure(error) -> str:
    cause = error.cause or error.reason
    return f"could not fetch the index ({error.subject}: {cause})"


def _index_warning(index, doing: str) -> int:
    """The warning line when ``index`` is the cached copy because the fetch failed (exit 1:
    what was asked, a fresh index, could not be done), else nothing (exit 0)."""
    if index.fetch_error is None:
        return EXIT_OK
    click.echo(f"warning: {_fetch_failure(index.fetch_error)}; {doing} the cached index from "
               f"{_when(index.fetched_at)}", err=True)
    return EXIT_FAILED


def _when(timestamp: float) -> str:
    """``3 days ago (2024-05-11 10:00 UTC)``."""
    import datetime
    import time

    seconds = max(0, int(time.time() - timestamp))
    if seconds < 60:
        ago = "just now"
    else:
        for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
            if seconds >= size * (2 if unit != "minute" else 1):
                count = seconds // size
                ago = f"{count} {unit}{'s' if count != 1 else ''} ago"
                break
    moment = datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc)
    return f"{ago} ({moment:%Y-%m-%d %H:%M} UTC)"


def _size(size: int | None) -> str:
    if size is None:
        return "?"
    if size >= 1 << 20:
        return f"{size / (1 << 20):.1f} MiB"
    return f"{max(1, round(size / 1024))} KiB"


@models.command("remove", epilog="Exit codes: 0 removed; 1 no such model is installed; "
                                 "2 usage error.")
@click.argument("source", metavar="FROM", callback=language_code)
@click.argument("target", metavar="TO", callback=language_code)
@log_options
@reports_errors
def models_remove(source: str, target: str) -> int:
    """Remove the installed FROM -> TO model.

    \b
    Examples:
      translate-pipeline models remove de en
      translate-pipeline models list && translate-pipeline models remove en uk
    """
    from translate_pipeline.translation.packages import remove

    pkg = remove(source, target)
    click.echo(f"removed {pkg.from_code} -> {pkg.to_code} {pkg.version}")
    return EXIT_OK


@click.group()
def cache() -> None:
    """Inspect or clear the sentence translation cache (a SQLite translation memory).

    Its file is $TRANSLATE_PIPELINE_CACHE, else translations.sqlite3 in the data directory
    ($TRANSLATE_PIPELINE_HOME, default ~/.local/share/translate-pipeline).

    \b
    Examples:
      translate-pipeline cache stats
      translate-pipeline cache clear
    """


@cache.command("stats", epilog="Exit codes: 0 shown; 1 the cache cannot be read; 2 usage error; "
                               "141 the reader of stdout went away.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@log_options
@reports_errors
def cache_stats(fmt: str) -> int:
    """Show where the cache is, how many sentences it holds, per model.

    \b
    Examples:
      translate-pipeline cache stats
      translate-pipeline cache stats --format json | jq .entries
      TRANSLATE_PIPELINE_CACHE=/srv/tp/cache.sqlite3 translate-pipeline cache stats
    """
    from translate_pipeline.translation.cache import TranslationMemory

    stats = TranslationMemory().stats()
    if fmt == "json":
        click.echo(json.dumps({"path": str(stats.path), "entries": stats.entries,
                               "size_bytes": stats.size_bytes, "packages": dict(stats.packages)}))
        return EXIT_OK
    click.echo(f"{stats.path}: {stats.entries} sentences, {stats.size_bytes / 1024:.0f} KiB")
    for package, count in stats.packages:
        click.echo(f"  {one_line(package)}\t{count}")
    return EXIT_OK


@cache.command("clear", epilog="Exit codes: 0 cleared; 1 the cache cannot be written; "
                               "2 usage error.")
@log_options
@reports_errors
def cache_clear() -> int:
    """Delete every cached translation (the next runs translate everything again).

    \b
    Examples:
      translate-pipeline cache clear
      TRANSLATE_PIPELINE_CACHE=/srv/tp/cache.sqlite3 translate-pipeline cache clear
    """
    from translate_pipeline.translation.cache import TranslationMemory

    memory = TranslationMemory()  # a corrupt file is moved aside and a fresh one started
    removed = memory.clear()
    if memory.moved_aside is not None:
        memory.moved_aside.unlink(missing_ok=True)
        click.echo(f"removed the corrupt cache file {memory.moved_aside}")
    click.echo(f"removed {removed} cached sentences from {memory.path}")
    return EXIT_OK
