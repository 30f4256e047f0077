"""The SQLite translation memory, alone, under two processes, and through the CLI."""

import json
import multiprocessing
import subprocess
import sys
import textwrap

from click.testing import CliRunner

from translate_pipeline.cli import cli
from translate_pipeline.translation.cache import TranslationMemory, default_cache_path
from translate_pipeline.translation.engine import Engine, EngineOptions

SENTENCES = [
    "Der Stadtrat hat am Dienstag den neuen Haushalt beschlossen.",
    "Die Schulen erhalten mehr Geld als im Vorjahr.",
    "Kritiker bemängeln die hohen Kosten.",
]
OPTIONS = EngineOptions(device="cpu", threads=1, compute_type="int8")


def test_lookup_store_stats_clear(tmp_path):
    memory = TranslationMemory(tmp_path / "tm.sqlite3")
    memory.store("pkg@1", {"a": "A", "b": "B"})
    memory.store("pkg@2", {"a": "A2"})
    assert memory.lookup("pkg@1", ["a", "c", "b", "a"]) == {"a": "A", "b": "B"}
    assert memory.lookup("pkg@2", ["a"]) == {"a": "A2"}  # versions never mix
    stats = memory.stats()
    assert stats.entries == 3 and dict(stats.packages) == {"pkg@1": 2, "pkg@2": 1}
    assert memory.clear() == 3
    assert memory.lookup("pkg@1", ["a"]) == {}


def test_default_location_follows_environment(tmp_path, monkeypatch):
    assert default_cache_path().parent.name == "tp-home"
    monkeypatch.setenv("TRANSLATE_PIPELINE_CACHE", str(tmp_path / "x.db"))
    assert default_cache_path() == tmp_path / "x.db"


def test_second_run_translates_only_what_is_new(tmp_path, installed_de_en):
    path = tmp_path / "tm.sqlite3"
    first = Engine(OPTIONS, memory=TranslationMemory(path))
    out1 = first.translate({("de", "en"): SENTENCES[:2]})
    assert first.translated_count == 2
    second = Engine(OPTIONS, memory=TranslationMemory(path))
    out2 = second.translate({("de", "en"): SENTENCES})
    assert second.translated_count == 1
    assert out2[("de", "en")][:2] == out1[("de", "en")]
    uncached = Engine(OPTIONS).translate({("de", "en"): SENTENCES})
    assert out2 == uncached


def _writer(path, worker):
    memory = TranslationMemory(path)
    for batch in range(20):
        memory.store("pkg@1", {f"w{worker}-{batch}-{i}": f"t{i}" for i in range(50)})
        memory.lookup("pkg@1", [f"w{1 - worker}-{batch}-{i}" for i in range(50)])


def test_two_processes_write_at_once(tmp_path):
    path = tmp_path / "tm.sqlite3"
    TranslationMemory(path).close()
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_writer, args=(path, n)) for n in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert TranslationMemory(path).stats().entries == 2 * 20 * 50


def test_cli_cache_stats_and_clear_after_run(tmp_path, installed_de_en):
    runner = CliRunner()
    article = tmp_path / "a.txt"
    article.write_text("Titel\n\n" + " ".join(SENTENCES) + "\n", encoding="utf-8")
    args = ["run", str(article), "--from", "de", "--to", "en", "-o", str(tmp_path / "out"), "-q"]
    assert runner.invoke(cli, args).exit_code == 0
    first = (tmp_path / "out" / "a.en.md").read_text(encoding="utf-8")
    stats = json.loads(runner.invoke(cli, ["cache", "stats", "--format", "json"]).output)
    assert stats["entries"] == len(SENTENCES) + 1  # sentences and the title
    assert list(stats["packages"]) == ["translate-de_en-1_0@1.0"]
    assert "sentences" in runner.invoke(cli, ["cache", "stats"]).output
    # a cached rerun gives the same outputs
    assert runner.invoke(cli, args).exit_code == 0
    assert (tmp_path / "out" / "a.en.md").read_text(encoding="utf-8") == first
    result = runner.invoke(cli, ["cache", "clear"])
    assert result.exit_code == 0 and f"removed {len(SENTENCES) + 1}" in result.output
    # --no-cache leaves the cache empty
    assert runner.invoke(cli, [*args, "--no-cache"]).exit_code == 0
    assert json.loads(runner.invoke(cli, ["cache", "stats", "--format", "json"]).output)["entries"] == 0


def test_light_paths_never_import_torch(tmp_path):
    """--help, detect and summarize without --to must not pay for torch/stanza/spacy."""
    article = tmp_path / "a.txt"
    article.write_text(
        "Titel\n\nDer Stadtrat hat am Dienstag den neuen Haushalt beschlossen. "
        "Kritiker bemängeln die hohen Kosten.\n",
        encoding="utf-8",
    )
    script = textwrap.dedent(
        f"""
        import sys
        from click.testing import CliRunner
        from translate_pipeline.cli import cli
        runner = CliRunner()
        for args in (["--help"], ["detect", {str(article)!r}], ["summarize", {str(article)!r}],
                     ["models", "list"]):
            result = runner.invoke(cli, args)
            assert result.exit_code == 0, (args, result.output)
        heavy = sorted(m for m in ("torch", "stanza", "spacy", "argostranslate.translate",
                                   "dask", "distributed") if m in sys.modules)
        print("HEAVY", heavy)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stdout


def test_cached_rerun_skips_detection_summaries_and_models(tmp_path, installed_de_en):
    """A rerun into a new folder: translations, detection and summary choice all come from the
    cache, so langdetect, sumy and CTranslate2 are never loaded."""
    article = tmp_path / "a.txt"
    article.write_text("Titel\n\n" + " ".join(SENTENCES) + "\n", encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import sys
        from click.testing import CliRunner
        from translate_pipeline.cli import cli
        out = {str(tmp_path)!r} + "/out" + sys.argv[1]
        result = CliRunner().invoke(cli, ["run", {str(article)!r}, "--to", "en", "-o", out, "-q"])
        assert result.exit_code == 0, result.output
        print(open(out + "/a.en.md").read())
        print("LOADED", sorted(m for m in ("langdetect", "sumy", "ctranslate2") if m in sys.modules))
        """
    )
    runs = [
        subprocess.run([sys.executable, "-c", script, str(n)], capture_output=True, text=True,
                       timeout=120)
        for n in (1, 2)
    ]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr + runs[1].stderr
    assert "LOADED ['ctranslate2', 'langdetect', 'sumy']" in runs[0].stdout
    assert "LOADED []" in runs[1].stdout
    assert runs[0].stdout.split("LOADED")[0] == runs[1].stdout.split("LOADED")[0]
