"""``models available``, ``install`` (already installed, --upgrade, newer), ``update`` and the
pivots of ``models list``, through the CLI, against a loopback index serving real packages
(two versions of de->en, dictionary models whose translations show which version is in use);
online, offline with the index cached, and offline without it."""

from __future__ import annotations

import json
import time

import pytest
from support.cli import error_lines, invoke

from translate_pipeline import config
from translate_pipeline.translation import index as argos_index
from translate_pipeline.translation.packages import list_installed

DAY = 86400


@pytest.fixture
def versions(dictionary_factory):
    """de->en 1.0 (letters rotated by 1) and 1.9 (by 3), en->uk 1.0 (by 1)."""
    return {
        "de_en_1.0": dictionary_factory("de", "en", shift=1, version="1.0"),
        "de_en_1.9": dictionary_factory("de", "en", shift=3, version="1.9"),
        "en_uk_1.0": dictionary_factory("en", "uk", shift=1, version="1.0"),
    }


@pytest.fixture
def index_server(argos_index_server, versions):
    """The loopback index listing de->en 1.0 and 1.9 and en->uk 1.0."""
    for built in versions.values():
        argos_index_server.add(built.path)
    return argos_index_server


def _rows(result) -> list[list[str]]:
    return [line.split("\t") for line in result.stdout.splitlines()]


def _age_cache(days: float) -> None:
    path = argos_index.cache_path()
    data = json.loads(path.read_text(encoding="utf-8"))
    data["fetched_at"] = time.time() - days * DAY - 60
    path.write_text(json.dumps(data), encoding="utf-8")


def _translate(text: str, *targets: str) -> str:
    args = [arg for target in targets for arg in ("--to", target)]
    result = invoke("translate", "--from", "de", *args, "--no-cache", input=text)
    assert result.exit_code == 0, result.stderr
    return result.stdout


# --- models available ----------------------------------------------------------------------------


def test_available_needs_a_cached_index_and_never_fetches_unasked(index_server):
    result = invoke("models", "available")
    assert result.exit_code == 1 and result.stdout == ""
    (line,) = error_lines(result)
    assert index_server.url("index.json") in line and "no copy of the package index is cached" in line
    assert "translate-pipeline models available --refresh" in line and "when online" in line
    assert index_server.requests == [] and index_server.heads == []


def test_available_refresh_lists_every_version_with_sizes_and_caches_the_index(
        index_server, versions):
    result = invoke("models", "available", "--refresh")
    assert result.exit_code == 0, result.stderr
    sizes = {name: built.path.stat().st_size for name, built in versions.items()}
    assert _rows(result) == [
        ["translate-de_en-1_0", "de -> en", "1.0", f"{round(sizes['de_en_1.0'] / 1024)} KiB",
         "not installed"],
        ["translate-de_en-1_9", "de -> en", "1.9", f"{round(sizes['de_en_1.9'] / 1024)} KiB",
         "not installed"],
        ["translate-en_uk-1_0", "en -> uk", "1.0", f"{round(sizes['en_uk_1.0'] / 1024)} KiB",
         "not installed"],
    ]
    assert f"index {index_server.url('index.json')}, fetched just now (" in result.stderr
    assert "3 packages" in result.stderr
    assert index_server.requests == ["/index.json"]
    assert sorted(index_server.heads) == sorted("/" + b.path.name for b in versions.values())
    cached = json.loads(argos_index.cache_path().read_text(encoding="utf-8"))
    assert cached["url"] == index_server.url("index.json")
    assert cached["index"] == index_server.entries
    assert sorted(cached["sizes"].values()) == sorted(sizes.values())
    # written atomically: nothing but the cache file is left in the data directory
    assert sorted(p.name for p in config.data_dir().iterdir()) == ["argos-index.json"]


def test_sizes_follow_redirects_without_downloading(argos_index_server, versions):
    entry = argos_index_server.add(versions["en_uk_1.0"].path)
    name = versions["en_uk_1.0"].path.name
    entry["links"] = [argos_index_server.url(f"moved/{name}")]
    argos_index_server.write_index([entry])
    result = invoke("models", "available", "--refresh", "--format", "json")
    (listed,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert listed["size"] == versions["en_uk_1.0"].path.stat().st_size
    assert argos_index_server.heads == [f"/moved/{name}", f"/{name}"]
    assert argos_index_server.requests == ["/index.json"]  # no GET of the package


def test_available_offline_reads_the_cache_and_says_how_old_it_is(index_server):
    assert invoke("models", "available", "--refresh").exit_code == 0
    online = invoke("models", "available", "--refresh").stdout
    index_server.close()
    _age_cache(days=3)
    result = invoke("models", "available")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == online  # the sizes came from the cache too
    assert "fetched 3 days ago (" in result.stderr and "warning" not in result.stderr


def test_available_refresh_offline_shows_the_cache_and_says_what_failed(index_server):
    assert invoke("models", "available", "--refresh").exit_code == 0
    url = index_server.url("index.json")
    index_server.close()
    _age_cache(days=3)
    result = invoke("models", "available", "--refresh")
    assert result.exit_code == 1  # the fresh index that was asked for could not be had
    assert len(_rows(result)) == 3
    (warning,) = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warning.startswith(f"warning: could not fetch the index ({url}: ")
    assert "refused" in warning and warning.endswith("; showing the cached index from 3 days ago "
                                                     + warning.rsplit("ago ", 1)[1])
    assert error_lines(result) == []


def test_available_refresh_offline_without_a_cache(index_server):
    url = index_server.url("index.json")
    index_server.close()
    result = invoke("models", "available", "--refresh")
    assert result.exit_code == 1 and result.stdout == ""
    (line,) = error_lines(result)
    assert line.startswith(f"error: {url}: could not reach the Argos package index (")
    assert "translate-pipeline models install FILE.argosmodel" in line  # what still works


def test_a_failed_fetch_leaves_the_cached_index_as_it_was(index_server):
    assert invoke("models", "available", "--refresh").exit_code == 0
    before = argos_index.cache_path().read_bytes()
    (index_server.root / "index.json").write_text("{not json", encoding="utf-8")
    result = invoke("models", "available", "--refresh")
    assert result.exit_code == 1 and len(_rows(result)) == 3
    assert "not valid JSON" in result.stderr
    assert argos_index.cache_path().read_bytes() == before


def test_a_broken_cache_or_another_urls_is_no_cache(index_server, monkeypatch):
    argos_index.cache_path().parent.mkdir(parents=True)
    argos_index.cache_path().write_text("[1, 2", encoding="utf-8")
    result = invoke("models", "available")
    assert result.exit_code == 1
    assert "warning: ignoring the cached package index" in result.stderr
    assert "no copy of the package index is cached" in result.stderr
    assert invoke("models", "available", "--refresh").exit_code == 0  # replaces the broken file
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", "http://127.0.0.1:9/mirror/")
    result = invoke("models", "available")
    assert result.exit_code == 1
    assert f"(the one cached is of {index_server.url('index.json')})" in result.stderr


def test_available_for_one_language_and_as_json(index_server, install_dictionary):
    install_dictionary("de", "en", shift=1, version="1.0")
    assert invoke("models", "available", "--refresh").exit_code == 0
    result = invoke("models", "available", "uk")
    assert [row[0] for row in _rows(result)] == ["translate-en_uk-1_0"]
    assert "3 packages (1 from or into uk)" in result.stderr
    result = invoke("models", "available", "DE", "--format", "json")
    entries = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["name"], e["installed"], e["installed_version"]) for e in entries] == [
        ("translate-de_en-1_0", True, "1.0"), ("translate-de_en-1_9", False, "1.0")]
    assert all(isinstance(e["size"], int) and e["links"] for e in entries)
    text = invoke("models", "available", "de")
    assert [row[4] for row in _rows(text)] == ["installed", "1.0 installed"]
    result = invoke("models", "available", "fr")
    assert result.exit_code == 0 and result.stdout == ""
    assert "no package in the index translates from or into fr; its languages: de, en, uk" in (
        result.stderr)
    assert invoke("models", "available", "French").exit_code == 2


# --- models install ------------------------------------------------------------------------------


def test_install_upgrades_to_a_newer_version_then_says_it_is_installed(index_server, versions):
    assert invoke("models", "install", versions["de_en_1.0"].path).exit_code == 0
    assert _translate("Der Rat tagt.", "en").strip() == versions["de_en_1.0"].translate("Der Rat tagt.")
    result = invoke("models", "install", "de", "en")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("upgraded de -> en 1.0 -> 1.9 in ")
    (pkg,) = list_installed()
    assert (pkg.version, pkg.name) == ("1.9", "translate-de_en-1_9")  # the old folder is gone
    assert _translate("Der Rat tagt.", "en").strip() == versions["de_en_1.9"].translate("Der Rat tagt.")
    index_server.requests.clear()
    result = invoke("models", "install", "de", "en")
    assert result.exit_code == 0
    assert result.stdout == (f"de -> en 1.9 is already installed in {pkg.path}, the newest the "
                             "index has; nothing changed (--upgrade reinstalls it)\n")
    assert index_server.requests == ["/index.json"]  # nothing downloaded
    assert list_installed() == (pkg,)


def test_install_upgrade_reinstalls_the_same_version(index_server):
    assert invoke("models", "install", "en", "uk").stdout.startswith("installed en -> uk 1.0 in ")
    (pkg,) = list_installed()
    (pkg.model_dir / "model.bin").write_bytes(b"damaged")  # what a reinstall repairs
    index_server.requests.clear()
    result = invoke("models", "install", "en", "uk", "--upgrade")
    assert result.exit_code == 0 and result.stdout.startswith("reinstalled en -> uk 1.0 in ")
    assert index_server.requests == ["/index.json", "/translate-en_uk-1_0.argosmodel"]
    assert (pkg.model_dir / "model.bin").read_bytes() != b"damaged"


def test_install_never_downgrades_from_the_index(index_server, dictionary_factory):
    newer = dictionary_factory("en", "uk", shift=2, version="2.0")
    assert invoke("models", "install", newer.path).exit_code == 0
    for args in (("en", "uk"), ("en", "uk", "--upgrade")):
        result = invoke("models", "install", *args)
        assert result.exit_code == 0
        assert "en -> uk 2.0 is already installed" in result.stdout
        assert "newer than the index's 1.0; nothing changed" in result.stdout
    assert [p.version for p in list_installed()] == ["2.0"]


def test_install_from_a_file_of_the_installed_version(versions, tmp_path):
    path = versions["de_en_1.0"].path
    assert invoke("models", "install", path).stdout.startswith("installed de -> en 1.0 in ")
    (pkg,) = list_installed()
    stamp = (pkg.model_dir / "model.bin").stat().st_mtime_ns
    result = invoke("models", "install", path)
    assert result.exit_code == 0
    assert result.stdout == (f"de -> en 1.0 is already installed in {pkg.path} (the version of "
                             f"{path}); nothing changed (--upgrade reinstalls it)\n")
    assert (pkg.model_dir / "model.bin").stat().st_mtime_ns == stamp
    result = invoke("models", "install", path, "--upgrade")
    assert result.exit_code == 0 and result.stdout.startswith("reinstalled de -> en 1.0 in ")
    assert invoke("models", "install", versions["de_en_1.9"].path).stdout.startswith(
        "upgraded de -> en 1.0 -> 1.9 in ")
    assert invoke("models", "install", path).stdout.startswith("downgraded de -> en 1.9 -> 1.0 in ")
    assert [p.name for p in list_installed()] == ["translate-de_en-1_0"]


def test_install_offline_of_an_installed_pair_says_what_it_could_not_check(
        index_server, versions):
    assert invoke("models", "install", versions["de_en_1.0"].path).exit_code == 0
    url = index_server.url("index.json")
    index_server.close()
    result = invoke("models", "install", "de", "en")
    assert result.exit_code == 0  # installed it is: nothing to do
    assert result.stderr.startswith(f"warning: could not fetch the index ({url}: ")
    assert "and no copy of it is cached; cannot tell whether a newer version exists" in result.stderr
    assert "de -> en 1.0 is already installed in " in result.stdout
    assert result.stdout.rstrip().endswith("; nothing changed")


def test_install_offline_with_a_cached_index_tries_its_links(index_server, versions):
    assert invoke("models", "available", "--refresh").exit_code == 0
    url = index_server.url("index.json")
    index_server.close()
    result = invoke("models", "install", "en", "uk")
    assert result.exit_code == 1
    assert f"warning: could not fetch the index ({url}: " in result.stderr
    assert "; using the cached index from just now" in result.stderr
    (line,) = error_lines(result)
    assert index_server.url("translate-en_uk-1_0.argosmodel") in line
    assert "could not reach the package download" in line
    assert list_installed() == ()


def test_a_download_that_is_another_pair_is_refused(index_server, versions):
    entry = dict(index_server.entries[2], from_code="fr", to_code="en")  # en->uk's file
    index_server.write_index([entry])
    result = invoke("models", "install", "fr", "en")
    assert result.exit_code == 1
    assert "is a package for en->uk, not the fr->en the index lists" in result.stderr
    assert list_installed() == ()


# --- models update -------------------------------------------------------------------------------


def test_update_upgrades_what_has_a_newer_version(index_server, versions, install_dictionary):
    install_dictionary("de", "en", shift=1, version="1.0")
    install_dictionary("en", "uk", shift=1, version="1.0")
    install_dictionary("uk", "en", shift=1, version="1.0")  # not in the index
    before = _translate("Der Rat tagt.", "uk")
    result = invoke("models", "update")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("upgraded de -> en 1.0 -> 1.9 in ")
    assert lines[1:] == ["uk -> en 1.0: not in the index, left as it is"]
    assert [(p.pair, p.version) for p in list_installed()] == [
        (("de", "en"), "1.9"), (("en", "uk"), "1.0"), (("uk", "en"), "1.0")]
    after = _translate("Der Rat tagt.", "uk")  # de->en->uk: 3 + 1 instead of 1 + 1
    assert after != before
    assert after.strip() == versions["en_uk_1.0"].translate(
        versions["de_en_1.9"].translate("Der Rat tagt."))
    result = invoke("models", "update")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1].startswith(
        "all 3 installed models are up to date with the index fetched just now (")


def test_update_with_nothing_installed(index_server):
    result = invoke("models", "update")
    assert result.exit_code == 0 and result.stdout.startswith("no models installed in ")
    assert result.stdout.rstrip().endswith("; nothing to update")


def test_update_offline(index_server, versions, install_dictionary):
    install_dictionary("en", "uk", shift=1, version="1.0")
    url = index_server.url("index.json")
    assert invoke("models", "available", "--refresh").exit_code == 0
    install_dictionary("de", "en", shift=1, version="1.0")  # the cached index has 1.9 of it
    index_server.close()
    _age_cache(days=2)
    result = invoke("models", "update")
    assert result.exit_code == 1
    assert f"warning: could not fetch the index ({url}: " in result.stderr
    assert "; using the cached index from 2 days ago" in result.stderr
    (line,) = error_lines(result)
    assert line.startswith("error: translate-de_en-1_0: not upgraded to 1.9 (left as it was): ")
    assert "could not reach the package download" in line
    assert [(p.pair, p.version) for p in list_installed()] == [
        (("de", "en"), "1.0"), (("en", "uk"), "1.0")]
    assert invoke("translate", "--from", "de", "--to", "uk", input="Der Rat tagt.").exit_code == 0


def test_update_offline_with_everything_current_in_the_cache(index_server, install_dictionary):
    install_dictionary("en", "uk", shift=1, version="1.0")
    assert invoke("models", "update").exit_code == 0
    index_server.close()
    result = invoke("models", "update")
    assert result.exit_code == 1  # a fresh index to check against could not be had
    assert "warning: could not fetch the index (" in result.stderr
    assert "the one installed model is up to date with the cached index fetched " in result.stdout


def test_update_offline_without_a_cache(index_server, install_dictionary):
    install_dictionary("en", "uk", shift=1, version="1.0")
    index_server.close()
    result = invoke("models", "update")
    assert result.exit_code == 1 and result.stdout == ""
    (line,) = error_lines(result)
    assert "could not reach the Argos package index" in line and "FILE.argosmodel" in line


# --- models list: pivots -------------------------------------------------------------------------


def test_list_shows_the_pairs_reachable_through_english(install_dictionary):
    de_en = install_dictionary("de", "en", shift=1)
    en_uk = install_dictionary("en", "uk", shift=1)
    install_dictionary("uk", "en", shift=1)
    result = invoke("models", "list")
    rows = _rows(result)
    assert [row[:2] for row in rows] == [
        ["de -> en", "1.0"], ["en -> uk", "1.0"], ["uk -> en", "1.0"],
        ["de -> uk", "pivot"],  # uk -> uk is no pair; en -> en neither
    ]
    assert rows[3][2] == "via en: translate-de_en-1_0 + translate-en_uk-1_0"
    entries = [json.loads(line) for line in invoke("models", "list", "--format", "json").stdout.splitlines()]
    pivots = [e for e in entries if e["pivot"] is not None]
    assert pivots == [{"from": "de", "to": "uk", "version": None, "name": None, "path": None,
                       "pivot": "en", "route": ["translate-de_en-1_0", "translate-en_uk-1_0"]}]
    assert [e["route"] for e in entries if e["pivot"] is None] == [
        ["translate-de_en-1_0"], ["translate-en_uk-1_0"], ["translate-uk_en-1_0"]]
    # the pivot listed is the route translations take: de -> en -> uk, word by word
    text = "Der Rat tagt heute."
    assert _translate(text, "uk").strip() == en_uk.translate(de_en.translate(text))


def test_list_without_a_pivot(install_dictionary):
    install_dictionary("de", "en", shift=1)
    install_dictionary("fr", "uk", shift=1)
    assert [row[1] for row in _rows(invoke("models", "list"))] == ["1.0", "1.0"]
