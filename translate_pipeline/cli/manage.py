"""``models`` (list, install, remove Argos packages) and ``cache`` (the translation memory)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from translate_pipeline.cli.logs import log_options
from translate_pipeline.cli.options import EXIT_OK, language_code, reports_errors
from translate_pipeline.errors import one_line

__all__ = ["models", "cache"]


@click.group()
def models() -> None:
    """List, install and remove Argos translation models.

    \b
    Examples:
      translate-pipeline models list
      translate-pipeline models install translate-en_de-1_0.argosmodel
      translate-pipeline models install en de
      translate-pipeline models remove en de
    """


@models.command("list", epilog="Exit codes: 0 listed (also when none is installed); 1 the models "
                               "folder cannot be read; 2 usage error; 141 the reader of stdout "
                               "went away.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@log_options
@reports_errors
def models_list(fmt: str) -> int:
    """List the installed models: FROM -> TO, version, folder (json: one object per line).

    A pair without a model of its own goes through English when both legs are installed.

    \b
    Examples:
      translate-pipeline models list
      translate-pipeline models list --format json | jq -r '.from + "->" + .to'
    """
    from translate_pipeline.config import argos_packages_dir
    from translate_pipeline.translation.packages import list_installed

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
        click.echo(f"{pkg.from_code} -> {pkg.to_code}\t{one_line(pkg.version)}\t"
                   f"{one_line(str(pkg.path))}")
    return EXIT_OK


@models.command("install", epilog="Exit codes: 0 installed; 1 not installed (a bad file, no such "
                                  "pair in the index, offline); 2 usage error.")
@click.argument("source", metavar="PATH.argosmodel | FROM")
@click.argument("target", required=False, metavar="[TO]")
@log_options
@reports_errors
def models_install(source: str, target: str | None) -> int:
    """Install a model from a .argosmodel file, or FROM TO from the Argos package index (online).

    \b
    Examples:
      translate-pipeline models install ~/Downloads/translate-de_en-1_9.argosmodel
      translate-pipeline models install de en
    """
    from translate_pipeline.translation.packages import install_file, install_from_index

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
