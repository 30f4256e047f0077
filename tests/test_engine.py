"""The engine and the pipeline on real Argos packages (random weights, real CTranslate2)."""

import pytest

from translate_pipeline.translation.engine import Engine, EngineOptions, _PackageRunner
from translate_pipeline import errors
from translate_pipeline.errors import MissingPairError
from translate_pipeline.pipeline import Failure, Pipeline, Settings
from translate_pipeline.records import Article
from translate_pipeline.nlp.sentences import split_sentences

GERMAN = [
    "Der Stadtrat hat am Dienstag den neuen Haushalt beschlossen.",
    "Die Schulen erhalten 4,8 Mio. Euro mehr als im Vorjahr.",
    "Dr. Anna Weber sprach von einem guten Tag für die Stadt.",
    "Kritiker bemängeln die hohen Kosten.",
]

ARTICLE = Article(
    id="rat",
    source="rat.txt",
    title="Stadtrat beschließt Haushalt",
    paragraphs=(
        "Der Stadtrat hat am Dienstag den neuen Haushalt beschlossen. Die Schulen erhalten "
        "4,8 Mio. Euro mehr als im Vorjahr.",
        "Dr. Anna Weber sprach von einem guten Tag für die Stadt. Kritiker bemängeln die hohen "
        "Kosten. Die Opposition will am 22. September erneut abstimmen lassen.",
    ),
)


def options():
    return EngineOptions(device="cpu", threads=2, compute_type="int8")


def test_direct_translation_is_deterministic_and_ordered(installed_de_en):
    engine = Engine(options())
    first = engine.translate({("de", "en"): GERMAN})[("de", "en")]
    again = Engine(options()).translate({("de", "en"): list(reversed(GERMAN))})[("de", "en")]
    assert len(first) == len(GERMAN)
    assert all(first)
    assert first == list(reversed(again))
    assert len(set(first)) > 1  # inputs matter


def test_copy_when_source_equals_target(installed_de_en):
    engine = Engine(options())
    assert engine.route("de", "de") == ()
    assert engine.translate({("de", "de"): GERMAN})[("de", "de")] == GERMAN
    assert engine.translated_count == 0


def test_missing_pair_lists_installed_and_command(installed_de_en):
    engine = Engine(options())
    with pytest.raises(MissingPairError) as info:
        engine.route("fr", "uk")
    message = errors.with_advice(info.value)
    assert str(info.value) == "fr->uk: no model fr->uk"
    assert "fr->uk" in message and "(installed: de->en)" in message
    # Argos publishes models to and from English: suggest the legs of the pivot route
    assert "'translate-pipeline models install fr en' and 'translate-pipeline models install en uk'" in message
    with pytest.raises(MissingPairError) as info:
        engine.route("en", "uk")
    assert info.value.suggested == (("en", "uk"),)


def test_missing_pivot_leg_is_the_suggested_install(installed_de_en):
    with pytest.raises(MissingPairError) as info:
        Engine(options()).route("de", "uk")
    assert info.value.suggested == (("en", "uk"),)


def test_pivot_reuses_the_shared_leg(install_argos):
    install_argos("de", "en")
    install_argos("en", "uk")
    engine = Engine(options())
    assert [p.pair for p in engine.route("de", "uk")] == [("de", "en"), ("en", "uk")]
    out = engine.translate({("de", "en"): GERMAN, ("de", "uk"): GERMAN})
    # de->en ran once for both targets; en->uk ran on its output.
    assert engine.translated_count == 2 * len(GERMAN)
    separate = Engine(options())
    english = separate.translate({("de", "en"): GERMAN})[("de", "en")]
    assert out[("de", "en")] == english
    assert out[("de", "uk")] == separate.translate({("en", "uk"): english})[("en", "uk")]


def test_duplicate_and_empty_sentences(installed_de_en):
    engine = Engine(options())
    out = engine.translate({("de", "en"): [GERMAN[0], "", GERMAN[0], "  "]})[("de", "en")]
    assert out[0] == out[2] and out[0]
    assert out[1] == "" and out[3] == ""
    assert engine.translated_count == 1


def test_underscores_are_kept_unlike_argostranslate(installed_de_en):
    runner = _PackageRunner(installed_de_en, options().resolved())
    assert runner.decode(["\u2581snake_case", "\u2581name"]) == "snake_case name"


def test_decoding_parity_with_argostranslate(installed_de_en):
    """Same package, same sentences, same options: the same output as argostranslate."""
    import ctranslate2
    from argostranslate import package as argos_package
    from argostranslate import translate as argos_translate

    class OneSentence:
        def split_sentences(self, text):
            return [text]

    pkg = argos_package.Package(installed_de_en.path)
    translator = ctranslate2.Translator(
        str(installed_de_en.model_dir), device="cpu", compute_type="int8"
    )
    ours = Engine(options()).translate({("de", "en"): GERMAN})[("de", "en")]
    for sentence, mine in zip(GERMAN, ours):
        (theirs,) = argos_translate.apply_packaged_translation(
            pkg, sentence, translator, OneSentence(), num_hypotheses=1
        )
        assert mine.replace("_", " ") == theirs.value


def test_pipeline_summaries_are_aligned_across_languages(install_argos):
    install_argos("de", "en")
    install_argos("en", "uk")
    pipeline = Pipeline(Settings(targets=("en", "uk"), sentences=2), engine=Engine(options()))
    result = pipeline.process_one(ARTICLE)
    assert [lang for lang, _ in result.languages] == ["de", "en", "uk"]
    assert result.detection.code == "de"
    source = result.version("de")
    assert len(source.summary) == 2
    engine = Engine(options())
    for lang in ("en", "uk"):
        version = result.version(lang)
        assert len(version.paragraphs) == len(ARTICLE.paragraphs)
        expected = engine.translate({("de", lang): list(source.summary)})[("de", lang)]
        assert list(version.summary) == expected
        title = engine.translate({("de", lang): [ARTICLE.title]})[("de", lang)][0]
        assert version.title == title
    assert result.errors == ()


def test_pipeline_reports_missing_target_but_keeps_the_rest(installed_de_en):
    pipeline = Pipeline(Settings(targets=("en", "fr")), engine=Engine(options()))
    result = pipeline.process_one(ARTICLE)
    assert [lang for lang, _ in result.languages] == ["de", "en"]
    (error,) = result.errors
    assert error == "not translated to fr: no model de->fr"
    assert result.missing_models == (("en", "fr"),) and "models install en fr" in result.advice[0]


def test_summary_mode_translates_only_title_and_summary(installed_de_en):
    full_engine, summary_engine = Engine(options()), Engine(options())
    full = Pipeline(Settings(targets=("en",), sentences=2), engine=full_engine).process_one(ARTICLE)
    short = Pipeline(
        Settings(targets=("en",), sentences=2, translate="summary"), engine=summary_engine
    ).process_one(ARTICLE)
    assert short.version("en").summary == full.version("en").summary
    assert short.version("en").title == full.version("en").title
    assert short.version("en").paragraphs == ()
    assert summary_engine.translated_count == 3 < full_engine.translated_count


def test_pipeline_windows_keep_input_order(installed_de_en):
    articles = [
        Article(id=f"a{i}", source=f"a{i}.txt", title=f"Titel {i}", paragraphs=(GERMAN[i % 4],))
        for i in range(7)
    ]
    items = articles[:3] + [Failure("bad.txt", "bad", MissingPairError("x", "y", []))] + articles[3:]
    pipeline = Pipeline(
        Settings(targets=("en",), source_language="de"), engine=Engine(options()), window_articles=3
    )
    outcomes = list(pipeline.process(items))
    ids = [o.id if isinstance(o, Failure) else o.article.id for o in outcomes]
    assert ids == ["a0", "a1", "a2", "bad", "a3", "a4", "a5", "a6"]
    engine = Engine(options())
    for outcome in outcomes:
        if not isinstance(outcome, Failure):
            assert outcome.version("en").summary == tuple(
                engine.translate({("de", "en"): list(outcome.version("de").summary)})[("de", "en")]
            )


def test_cublas_library_named_for_the_ctranslate2_build():
    from translate_pipeline.translation.engine import _cublas_name

    assert _cublas_name("4.8.5") == "libcublas.so.12"
    assert _cublas_name("3.24.0") == "libcublas.so.11"
    assert _cublas_name("5.0.0") is None  # unknown build: no guess, CTranslate2 says itself


def test_explicit_cuda_without_a_gpu_is_a_usage_error_before_any_work(installed_de_en, tmp_path):
    import ctranslate2
    from click.testing import CliRunner

    from translate_pipeline.cli import cli

    if ctranslate2.get_cuda_device_count() > 0:
        pytest.skip("this machine has a GPU")
    article = tmp_path / "a.txt"
    article.write_text("Der Stadtrat tagt am Montag. Es geht um neue Radwege.", encoding="utf-8")
    out = tmp_path / "out"
    for flags, message in ((["--device", "cuda"], "--device cuda: no CUDA device is visible"),
                           (["--compute-type", "float16"], "--compute-type float16: not supported on cpu")):
        result = CliRunner().invoke(cli, ["run", str(article), "--to", "en", "-o", str(out), *flags])
        assert result.exit_code == 2, result.output
        assert message in result.output
        assert not out.exists()  # nothing started
    # auto on a machine without a GPU: the CPU, silently
    result = CliRunner().invoke(cli, ["run", str(article), "--to", "en", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "GPU" not in result.output


def test_threads_default_to_the_cores_this_process_may_use():
    import os

    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("no CPU affinity on this platform")
    before = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(before)})  # as under taskset -c N
        assert EngineOptions(device="cpu").resolved().threads == 1
    finally:
        os.sched_setaffinity(0, before)
    assert EngineOptions(device="cpu").resolved().threads == len(before)
    assert EngineOptions(device="cpu", threads=3).resolved().threads == 3


def test_chinese_and_japanese_paragraphs_join_sentences_without_spaces(install_argos):
    from translate_pipeline.nlp.sentences import join_sentences

    assert join_sentences(["东京下雨。", "明天晴天！"], "zh") == "东京下雨。明天晴天！"
    assert join_sentences(["雨です。", "", "晴れ。"], "ja-JP") == "雨です。晴れ。"
    assert join_sentences(["Es regnet.", "Morgen Sonne."], "de") == "Es regnet. Morgen Sonne."
    install_argos("de", "zh")
    install_argos("de", "en")
    result = Pipeline(Settings(targets=("zh", "en")), engine=Engine(options())).process_one(ARTICLE)
    engine = Engine(options())
    for lang, separator in (("zh", ""), ("en", " ")):
        version = result.version(lang)
        for source, translated in zip(ARTICLE.paragraphs, version.paragraphs, strict=True):
            sentences = engine.translate({("de", lang): split_sentences(source, "de")})[("de", lang)]
            assert len(sentences) > 1
            assert translated == separator.join(sentences)


def test_cublas_from_the_pip_wheel_is_loaded_when_installed(tmp_path, monkeypatch):
    import importlib
    import importlib.util
    import sys

    from translate_pipeline.translation.engine import _preload_pip_cublas

    if importlib.util.find_spec("nvidia") is None:
        _preload_pip_cublas("libcublas.so.12")  # no nvidia-* package at all: nothing to do
    lib = tmp_path / "nvidia" / "cublas" / "lib"  # the layout of nvidia-cublas-cu12
    lib.mkdir(parents=True)
    (lib / "libcublas.so.12").write_bytes(b"not really a library")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "nvidia" or m.startswith("nvidia.")]:
        monkeypatch.delitem(sys.modules, name)
    importlib.invalidate_caches()
    with pytest.raises(OSError, match="libcublas.so.12"):  # found there and handed to the loader
        _preload_pip_cublas("libcublas.so.12")
    _preload_pip_cublas("libcublas.so.11")  # not in that wheel: left to the system's search


def test_auto_falls_back_to_the_cpu_once_when_the_gpu_cannot_be_used(monkeypatch, caplog):
    # The check itself ran on an H200 with only CUDA 13 (benchmarks/gpu_check.sh); here the
    # decision that follows from its answer.
    from translate_pipeline.translation import engine as engine_module
    from translate_pipeline.errors import PipelineError

    problem = "CTranslate2 4.8.5 needs CUDA 12's cuBLAS (libcublas.so.12), which cannot be loaded"
    monkeypatch.setattr(engine_module, "cuda_problem", lambda: problem)
    engine_module._note_cpu_fallback.cache_clear()
    with caplog.at_level("WARNING", logger="translate_pipeline.translation.engine"):
        for _ in range(2):
            resolved = EngineOptions(device="auto").resolved()
            assert (resolved.device, resolved.compute_type, resolved.batch_size) == ("cpu", "int8", 32)
    assert [r.getMessage() for r in caplog.records] == [
        f"a GPU is visible but not usable, so translating on the CPU: {problem}"]
    with pytest.raises(PipelineError, match="--device cuda: CTranslate2 4.8.5 needs CUDA 12"):
        EngineOptions(device="cuda").resolved()
    monkeypatch.setattr(engine_module, "cuda_problem", lambda: engine_module.NO_CUDA_DEVICE)
    caplog.clear()
    assert EngineOptions(device="auto").resolved().device == "cpu"
    assert caplog.records == []  # no GPU at all: nothing to say
