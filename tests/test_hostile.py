"""Issue 14: attacks on the CLI (hostile input, hostile servers, unlucky faults), each reproduced.

Everything here talks to loopback servers only and is bounded in time.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from support.cli import error_lines, invoke

ENGLISH = (
    "Council approves the budget\n\n"
    "The city council approved the new budget on Tuesday. Schools will get more money than "
    "last year. Critics point to the high costs.\n"
)


@pytest.fixture
def news(tmp_path) -> Path:
    root = tmp_path / "news"
    root.mkdir()
    (root / "council.txt").write_text(ENGLISH, encoding="utf-8")
    return root


# 1. lock files must not follow symlinks (or hard links) planted in a shared folder


@pytest.mark.parametrize("plant", ["symlink", "hardlink"])
def test_run_refuses_a_planted_lock_file(news, tmp_path, plant):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "out"
    out.mkdir()
    getattr(os, plant if plant == "symlink" else "link")(victim, out / ".translate-pipeline.lock")
    result = invoke("run", news, "--from", "en", "--to", "en", "-o", out)
    assert result.exit_code == 1, result.output
    assert victim.read_text() == "precious\n"
    (line,) = error_lines(result)
    assert ".translate-pipeline.lock" in line and "refusing the lock file" in line
    assert not list(out.glob("*.json"))


def test_feed_refuses_a_symlinked_state_lock(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    state = tmp_path / "state.sqlite3"
    (tmp_path / "state.sqlite3.lock").symlink_to(victim)
    result = invoke("feed", tmp_path / "nothing.xml", "--to", "en", "--state", state,
                    "-o", tmp_path / "out", "--wait", "0.3")
    assert result.exit_code != 0
    assert victim.read_text() == "precious\n"
    assert "symbolic link" in result.stderr and "state.sqlite3.lock" in result.stderr


def test_errors_log_is_not_written_through_a_symlink(tmp_path):
    from translate_pipeline.outputs.journal import ErrorLog

    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    log = ErrorLog(tmp_path / "errors.jsonl")
    (tmp_path / "errors.jsonl").symlink_to(victim)  # planted after the run removed the old one
    log.add("x", "x", "InputError", "bad", "x: bad")
    assert victim.read_text() == "precious\n"


# 4. a zip bomb in models install; 11. a killed install's staging folders


def _bomb(package: Path, tmp_path: Path, size: int) -> Path:
    """The package plus one highly compressible file of ``size`` bytes inside its folder."""
    import zipfile

    bomb = tmp_path / "bomb.argosmodel"
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        top = src.namelist()[0].split("/")[0]
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        with dst.open(f"{top}/padding.bin", "w", force_zip64=True) as out:
            chunk = bytes(1 << 20)
            for _ in range(size >> 20):
                out.write(chunk)
    return bomb


def test_models_install_refuses_a_zip_bomb(argos_package_factory, tmp_path, monkeypatch):
    from translate_pipeline.translation import packages

    monkeypatch.setattr(packages, "MAX_INSTALLED_BYTES", 32 << 20)  # the real one is 4 GiB
    bomb = _bomb(argos_package_factory("en", "de"), tmp_path, 64 << 20)
    assert bomb.stat().st_size < 2 << 20  # 64 MiB of padding in well under 2 MiB
    result = invoke("models", "install", bomb)
    assert result.exit_code == 1
    assert str(bomb) in result.stderr and "inflates to" in result.stderr
    assert not list(packages.config.argos_packages_dir().glob("*"))  # nothing written


def test_extraction_keeps_to_the_budget_whatever_is_declared(argos_package_factory, tmp_path,
                                                             monkeypatch):
    import zipfile

    from translate_pipeline.errors import PackageError
    from translate_pipeline.translation import packages

    bomb = _bomb(argos_package_factory("en", "de"), tmp_path, 8 << 20)
    monkeypatch.setattr(packages, "MAX_INSTALLED_BYTES", 4 << 20)  # checked while streaming
    with zipfile.ZipFile(bomb) as zf, pytest.raises(PackageError, match="inflates to more"):
        packages._extract(zf, tmp_path / "staging", str(bomb))
    assert sum(p.stat().st_size for p in (tmp_path / "staging").rglob("*") if p.is_file()) \
        <= 4 << 20


def test_models_install_refuses_what_the_disk_cannot_hold(argos_package_factory, tmp_path,
                                                          monkeypatch):
    import shutil

    from translate_pipeline.translation import packages

    monkeypatch.setattr(packages, "_FREE_MARGIN", shutil.disk_usage(tmp_path).free)
    result = invoke("models", "install", argos_package_factory("en", "de"))
    assert result.exit_code == 1 and "free" in result.stderr
    assert not list(packages.config.argos_packages_dir().glob(".*"))


def test_stale_install_folders_are_removed_but_not_a_live_ones(install_argos):
    import fcntl

    pkg = install_argos("en", "de")
    root = pkg.path.parent
    stale = root / ".installing-killed"
    (stale / "x").mkdir(parents=True)
    (stale / ".owner").touch()
    (stale / "x" / "model.bin").write_bytes(bytes(1 << 20))
    old = root / ".removing-killed"  # killed before its flock, long ago
    old.mkdir()
    os.utime(old, (0, 0))
    live = root / ".installing-live"
    live.mkdir()
    with open(live / ".owner", "w") as owner:
        fcntl.flock(owner, fcntl.LOCK_EX)  # as a live install in another process holds it
        result = invoke("models", "list")
        assert result.exit_code == 0 and "en" in result.output
        assert not stale.exists() and not old.exists() and live.exists()


# 3. an output folder inside the input folder is never read back


def test_an_output_folder_inside_the_inputs_is_not_read_back(news):
    out = news / "out"
    for _ in range(3):
        result = invoke("run", news, "--from", "en", "--to", "en", "-o", out)
        assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json")) == ["council.json"]
    assert not (out / "out").exists()
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [f"warning: not reading {out}: it is the output folder"]


def test_another_output_folder_among_the_inputs_is_not_read(news, tmp_path):
    assert invoke("run", news, "--from", "en", "--to", "en", "-o", news / "old").exit_code == 0
    (news / "old" / "stray.txt").write_text(ENGLISH)
    result = invoke("run", news, "--from", "en", "--to", "en", "-o", tmp_path / "new")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "new").rglob("*.json")] == ["council.json"]
    assert f"not reading {news / 'old'}: it is an output folder" in result.stderr


# 8. a corrupt translation cache


def _cache_path() -> Path:
    from translate_pipeline.translation.cache import default_cache_path

    return default_cache_path()


def test_a_corrupt_cache_is_moved_aside_and_the_run_goes_on(news, tmp_path, install_argos):
    install_argos("en", "de")
    cache = _cache_path()
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"this is no SQLite database\n" * 100)
    result = invoke("run", news, "--from", "en", "--to", "de", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "council.de.md").exists()
    (aside,) = cache.parent.glob("translations.sqlite3.corrupt-*")
    assert aside.read_bytes().startswith(b"this is no SQLite") and str(aside) in result.stderr
    stats = invoke("cache", "stats", "--format", "json")
    assert stats.exit_code == 0 and json.loads(stats.stdout)["entries"] > 0  # the fresh cache


def test_cache_clear_works_on_a_corrupt_file():
    cache = _cache_path()
    cache.parent.mkdir(parents=True)
    cache.write_bytes(bytes(range(256)) * 64)
    result = invoke("cache", "clear")
    assert result.exit_code == 0, result.output
    assert "removed the corrupt cache file" in result.stdout
    assert not list(cache.parent.glob("*.corrupt-*"))
    assert invoke("cache", "stats").exit_code == 0


def test_a_cache_damaged_inside_is_recovered_on_first_use(tmp_path):
    from translate_pipeline.translation.cache import TranslationMemory

    path = tmp_path / "c.sqlite3"
    memory = TranslationMemory(path)
    memory.store("pkg@1", {f"sentence {i}": f"Satz {i}" for i in range(3000)})
    memory._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    memory.close()
    data = bytearray(path.read_bytes())
    data[4096:len(data) - 4096] = b"\xff" * (len(data) - 8192)  # header intact, pages garbage
    path.write_bytes(bytes(data))
    memory = TranslationMemory(path)
    assert memory.lookup("pkg@1", ["sentence 1"]) == {}  # a fresh cache, not an exception
    assert memory.moved_aside is not None and memory.moved_aside.exists()
    memory.store("pkg@1", {"a": "b"})
    assert memory.lookup("pkg@1", ["a"]) == {"a": "b"}


# 2. a server that drips one byte at a time defeats per-read timeouts


@pytest.fixture
def drip():
    """A loopback HTTP server that sends its response one byte every 0.2 s, for ever (or
    ``/head`` : the status line and headers that slowly, ``/body``: headers at once, the body
    slowly). Yields its base URL."""
    import http.server
    import threading
    import time

    from loopback import serve_on_loopback

    stop = threading.Event()

    class Drip(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\r\n"
            if self.path.startswith("/body"):
                self.wfile.write(head)
                head = b""
            data = head + b"<rss><channel><title>x</title>" + b" " * 10**6
            for byte in data:
                if stop.is_set():
                    return
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.2)

    httpd, base, _ = serve_on_loopback(Drip)
    yield base
    stop.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("where", ["/head", "/body"])
def test_fetch_keeps_its_total_deadline_against_a_dripping_server(drip, where):
    import time

    from translate_pipeline.errors import InputError
    from translate_pipeline.inputs.fetch import fetch

    started = time.monotonic()
    with pytest.raises(InputError, match="timed out") as caught:
        fetch(drip + where, timeout=1, deadline=2)
    assert time.monotonic() - started < 4
    assert caught.value.subject == drip + where


def test_feed_timeout_holds_against_a_dripping_server(drip, tmp_path):
    import time

    started = time.monotonic()
    result = invoke("feed", drip + "/body", "--to", "en", "--timeout", "1",
                    "-o", tmp_path / "out", "--state", tmp_path / "s.db")
    took = time.monotonic() - started
    assert result.exit_code == 1
    assert took < 11 + 4, took  # the documented deadline for --timeout 1 is 11 s
    (line,) = error_lines(result)
    assert drip in line and "timed out" in line


def test_a_redirect_loop_is_one_line():
    import http.server

    from loopback import serve_on_loopback

    from translate_pipeline.errors import InputError
    from translate_pipeline.inputs.fetch import fetch

    class Loop(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", "/a" if self.path == "/b" else "/b")
            self.send_header("Content-Length", "0")
            self.end_headers()

    httpd, base, _ = serve_on_loopback(Loop)
    try:
        with pytest.raises(InputError) as caught:
            fetch(base + "/a", timeout=2)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert "\n" not in str(caught.value) and "redirect loop" in str(caught.value)


# 9. run -o - into a full or closed stdout


def _run_module(args, stdout, tmp_path, shell_prefix=""):
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    command = [sys.executable, "-m", "translate_pipeline", *map(str, args)]
    if shell_prefix:
        command = ["sh", "-c", f'{shell_prefix} "$@"', "sh", *command]
    return subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, text=True,
                          timeout=120, env=env, cwd=tmp_path)


@pytest.fixture
def many_news(tmp_path) -> Path:
    root = tmp_path / "many"
    root.mkdir()
    for i in range(4):
        (root / f"a{i}.txt").write_text(ENGLISH, encoding="utf-8")
    return root


def test_run_to_a_full_stdout_stops_at_the_first_write(many_news, tmp_path):
    with open("/dev/full", "wb") as full:
        done = _run_module(["run", many_news, "--from", "en", "--to", "en", "-o", "-"], full,
                           tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert [x for x in done.stderr.splitlines() if x.startswith("error:")] == [
        "error: -: cannot write: No space left on device",  # the first article, as for a folder
        "error: stopped early: -: cannot write: No space left on device; outputs already "
        "written are intact"]
    assert "done 0, skipped 0, failed 1;" in done.stderr  # the others were never translated


def test_run_to_a_closed_stdout_is_one_clear_error(many_news, tmp_path):
    done = _run_module(["run", many_news, "--from", "en", "--to", "en", "-o", "-"], None,
                       tmp_path, shell_prefix="exec >&-;")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip().splitlines() == ["error: -: cannot write: standard output is closed"]


# 7. log injection: control characters in names never forge lines


def test_a_feed_guid_cannot_forge_an_error_line(tmp_path):
    path = tmp_path / "evil.xml"
    path.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                    "<link>http://x.example/</link><item>"
                    "<guid isPermaLink='false'>x&#10;error: forged by the feed&#27;[2J</guid>"
                    "</item></channel></rss>", encoding="utf-8")
    result = invoke("feed", path, "--to", "en", "-o", tmp_path / "out",
                    "--state", tmp_path / "s.db")
    lines = result.stderr.splitlines()
    assert not [line for line in lines if line.startswith("error: forged")]
    (warning,) = [line for line in lines if "nothing to translate" in line]
    assert warning.startswith("warning: ") and "x\\nerror: forged by the feed\\x1b[2J" in warning and "\x1b" not in result.stderr


def test_a_file_name_cannot_forge_an_error_line_or_a_tsv_row(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (root / "a\nerror: forged.txt").write_text("")
    (root / "b\tx\ny.txt").write_text(ENGLISH)
    result = invoke("run", root, "--from", "en", "--to", "en", "-o", tmp_path / "out")
    assert result.exit_code == 1
    (line,) = error_lines(result)
    assert "a\\nerror: forged" in line and "is empty" in line
    detected = invoke("detect", root / "b\tx\ny.txt")
    assert detected.exit_code == 0
    (row,) = detected.stdout.splitlines()
    source, language, _confidence = row.split("\t")
    assert source.endswith("b\\tx\\ny.txt") and language == "en"


# 6. a lone surrogate in one feed item


def test_a_lone_surrogate_in_one_item_does_not_fail_the_feed(tmp_path):
    body = "The city council approved the new budget on Tuesday. Schools will get more money."
    path = tmp_path / "f.xml"
    path.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                    "<link>http://x.example/</link>"
                    f"<item><title>Bad &#xD800; &#56320; item</title><link>http://x.example/1</link>"
                    f"<description>{body}</description></item>"
                    f"<item><title>Good item</title><link>http://x.example/2</link>"
                    f"<description>{body}</description></item></channel></rss>", encoding="utf-8")
    for _ in range(2):  # and on the next run too
        result = invoke("feed", path, "--from", "en", "--to", "en", "-o", tmp_path / "out",
                        "--state", tmp_path / "s.db")
        assert result.exit_code == 0, result.output
    titles = sorted(json.loads(p.read_text())["languages"]["en"]["title"]
                    for p in (tmp_path / "out").glob("*/*.json"))
    assert titles == ["Bad \ufffd \ufffd item", "Good item"]


# 5. distinct JSON Lines ids never share a file; 14. a lone surrogate, deep nesting


def test_distinct_jsonl_ids_never_collide(tmp_path):
    long = "https://x.org/" + "a" * 150
    ids = ["news:1", "news/1", long + "?page=1", long + "?page=2", "plain-id_2.x"]
    dump = tmp_path / "dump.jsonl"
    dump.write_text("".join(json.dumps({"id": i, "text": ENGLISH}) + "\n" for i in ids))
    result = invoke("run", dump, "--from", "en", "--to", "en", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    records = [json.loads(p.read_text()) for p in (tmp_path / "out" / "dump").glob("*.json")]
    assert len(records) == 5
    assert sorted(r.get("metadata", {}).get("id", r["id"].split("/", 1)[1]) for r in records) \
        == sorted(ids)
    assert (tmp_path / "out" / "dump" / "plain-id_2.x.json").exists()  # a safe id keeps its name


def test_a_lone_surrogate_or_deep_nesting_in_jsonl_is_no_traceback(tmp_path):
    dump = tmp_path / "dump.jsonl"
    dump.write_text('{"id": "s", "title": "Bad \\ud800 title", "text": ' + json.dumps(ENGLISH)
                    + "}\n" + "[" * 100000 + "\n")
    result = invoke("run", dump, "--from", "en", "--to", "en", "-o", tmp_path / "out")
    assert result.exit_code == 1
    (line,) = error_lines(result)
    assert f"{dump}:2" in line and "nested too deeply" in line
    record = json.loads((tmp_path / "out" / "dump" / "s.json").read_text())
    assert record["languages"]["en"]["title"] == "Bad \ufffd title"


# 10. Markdown front matter is valid YAML whatever the title holds


def test_front_matter_with_control_characters_is_valid_yaml(tmp_path):
    import yaml

    title = "Bad \u009b\u007f\u0085 title \u0007"
    dump = tmp_path / "d.jsonl"
    dump.write_text(json.dumps({"id": "c", "title": title, "text": ENGLISH}) + "\n")
    result = invoke("run", dump, "--from", "en", "--to", "en", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "d" / "c.en.md").read_text(encoding="utf-8")
    front = text.split("---\n")[1]
    assert not set(front) & {"\u009b", "\u007f", "\u0007"}
    parsed = yaml.safe_load(front)
    record = json.loads((tmp_path / "out" / "d" / "c.json").read_text())
    assert parsed["title"] == record["languages"]["en"]["title"]
    for line in front.splitlines():  # each value is JSON too
        json.loads(line.split(": ", 1)[1])


# 12. Atom `updated` for items without a date: from the document, never the clock


def test_atom_of_undated_items_is_the_same_from_two_fresh_states(tmp_path):
    import time

    body = "The city council approved the new budget on Tuesday. Schools will get more money."
    path = tmp_path / "undated.xml"
    path.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                    "<link>http://x.example/</link>"
                    f"<item><title>No date</title><link>http://x.example/1</link>"
                    f"<description>{body}</description></item></channel></rss>", encoding="utf-8")
    atoms = []
    for n in range(2):
        if n:
            time.sleep(1.1)  # a later second on the clock
        out = tmp_path / f"out{n}"
        result = invoke("feed", path, "--from", "en", "--to", "en", "-o", out,
                        "--state", tmp_path / f"s{n}.db")
        assert result.exit_code == 0, result.output
        (atom,) = out.glob("*.atom")
        atoms.append(atom.read_bytes())
    assert atoms[0] == atoms[1]
    assert b"<updated>1970-01-01T00:00:00Z</updated>" in atoms[0]


# 14. one clear line instead of a traceback


def _record(tmp_path: Path, **changes) -> Path:
    out = tmp_path / "out"
    dump = tmp_path / "d.jsonl"
    dump.write_text(json.dumps({"id": "r", "text": ENGLISH}) + "\n")
    assert invoke("run", dump, "--from", "en", "--to", "en", "-o", out).exit_code == 0
    path = out / "d" / "r.json"
    record = json.loads(path.read_text())
    for key, value in changes.items():
        record[key] = value(record) if callable(value) else value
    path.write_text(json.dumps(record))
    return out


def test_digest_of_a_hand_edited_record(tmp_path):
    out = _record(tmp_path, language={"code": "en", "confidence": "high", "method": "detected"},
                  languages=lambda r: {**r["languages"], "x/y": r["languages"]["en"],
                                       "../../z": r["languages"]["en"]})
    result = invoke("digest", out)
    assert result.exit_code == 0, result.output
    page = (out / "index.html").read_text()
    assert "confidence ?" in page and "x/y" in page


@pytest.mark.parametrize("args, env, expected", [
    (["--cluster", "scheduler"], {}, "has no port"),
    ([], {"TRANSLATE_PIPELINE_THREADS": "abc"}, "TRANSLATE_PIPELINE_THREADS must be"),
    ([], {"TRANSLATE_PIPELINE_THREADS": "-1"}, "TRANSLATE_PIPELINE_THREADS must be"),
    ([], {"TRANSLATE_PIPELINE_BATCH_SIZE": "abc"}, "TRANSLATE_PIPELINE_BATCH_SIZE must be"),
])
def test_usage_errors_are_one_line(news, tmp_path, monkeypatch, args, env, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = invoke("run", news, "--to", "en", "-o", tmp_path / "out", *args)
    assert result.exit_code == 2, result.output
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_a_flag_overrides_a_bad_environment_variable(news, tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSLATE_PIPELINE_THREADS", "abc")
    result = invoke("run", news, "--from", "en", "--to", "en", "--threads", "1",
                    "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output


def test_empty_and_device_outputs(news, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    empty = invoke("run", news, "--from", "en", "--to", "en", "-o", "")
    assert empty.exit_code == 2 and "--output" in empty.stderr and "is empty" in empty.stderr
    assert not list(tmp_path.glob("*.json")) and not (tmp_path / ".translate-pipeline.lock").exists()
    full = invoke("run", news, "--from", "en", "--to", "en", "-o", "/dev/full")
    assert full.exit_code == 1
    assert error_lines(full) == ["error: /dev/full: is not a folder: --output names a folder to "
                                 "write into"]


def test_odd_package_metadata(argos_package_factory, tmp_path):
    import zipfile

    from translate_pipeline.translation.packages import install_file

    package = argos_package_factory("en", "de")
    deep = tmp_path / "deep.argosmodel"
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(deep, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("metadata.json"):
                data = b"[" * 100000 + b"]" * 100000
            dst.writestr(info.filename, data)
    result = invoke("models", "install", deep)
    assert result.exit_code == 1 and "nested too deeply" in result.stderr

    pkg = install_file(package)
    meta = json.loads((pkg.path / "metadata.json").read_text())
    (pkg.path / "metadata.json").write_text(json.dumps({**meta, "package_version": "1.0\nerror: x"}))
    listed = invoke("models", "list")
    assert listed.exit_code == 0
    (line,) = listed.stdout.splitlines()
    assert "1.0\\nerror: x" in line
    (pkg.path / "metadata.json").write_text("[" * 100000)
    assert invoke("models", "list").exit_code == 0  # skipped with a warning, no traceback
