"""The random-weight Argos packages used by the tests are real packages with fixed-length output."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from support.testmodel import SIZES, build_random_package, main, package_name


ctranslate2 = pytest.importorskip("ctranslate2")
spm = pytest.importorskip("sentencepiece")

SENTENCES = [
    "The government said on Monday that energy prices would rise by 3.5% next year.",
    "Die Regierung hat am Montag neue Preise für Energie angekündigt.",
    "Уряд України заявив у понеділок, що ціни на енергію зростуть.",
    "Le gouvernement a annoncé lundi une hausse des prix de l'énergie.",
    "Police closed the main street in Berlin after the storm.",
    "«Wir müssen handeln», sagte die Ministerin – „sofort“.",
    "Hi",
    "Київ, 24 лютого 2024 року — 17 % більше!",
]


def _extract(package: Path, where: Path) -> Path:
    with zipfile.ZipFile(package) as zf:
        zf.extractall(where)
    (top,) = where.iterdir()
    return top


def _translate(model_dir: Path, sp, sentences, compute_type: str, **kw):
    translator = ctranslate2.Translator(str(model_dir), compute_type=compute_type)
    batch = [sp.encode(s, out_type=str) for s in sentences]
    options = dict(beam_size=4, length_penalty=0.2, replace_unknowns=True)
    options.update(kw)
    results = translator.translate_batch(batch, **options)
    return [r.hypotheses[0] for r in results]


@pytest.fixture(scope="module")
def extracted_en_de(en_de_package, tmp_path_factory) -> Path:
    return _extract(en_de_package, tmp_path_factory.mktemp("extracted"))


def test_zip_layout_and_metadata(en_de_package):
    assert en_de_package.name == "translate-en_de-1_0.argosmodel"
    with zipfile.ZipFile(en_de_package) as zf:
        names = set(zf.namelist())
        metadata = json.loads(zf.read("translate-en_de-1_0/metadata.json"))
    top = "translate-en_de-1_0/"
    assert {n.split("/")[0] for n in names} == {"translate-en_de-1_0"}
    for required in ("metadata.json", "README.md", "sentencepiece.model", "model/model.bin",
                     "model/config.json", "model/shared_vocabulary.json"):
        assert top + required in names
    assert metadata["from_code"] == "en" and metadata["to_code"] == "de"
    assert metadata["package_version"] == "1.0" and metadata["argos_version"] == "1.0"
    assert metadata["from_name"] == "English" and metadata["to_name"] == "German"
    assert metadata["type"] == "translate"
    assert "target_prefix" not in metadata


def test_vocabulary_matches_tokenizer(extracted_en_de):
    sp = spm.SentencePieceProcessor(model_file=str(extracted_en_de / "sentencepiece.model"))
    vocab = json.loads((extracted_en_de / "model" / "shared_vocabulary.json").read_text("utf-8"))
    assert len(vocab) == sp.get_piece_size() == 1000
    assert vocab[:3] == ["<unk>", "<s>", "</s>"]
    # Real text in the four languages tokenizes into known pieces, not <unk>.
    for sentence in SENTENCES:
        assert sp.unk_id() not in sp.encode(sentence)


@pytest.mark.parametrize("compute_type", ["int8", "float32"])
def test_every_sentence_decodes_to_output_tokens(extracted_en_de, compute_type):
    sp = spm.SentencePieceProcessor(model_file=str(extracted_en_de / "sentencepiece.model"))
    model_dir = extracted_en_de / "model"
    for options in ({}, {"beam_size": 1}, {"max_batch_size": 3}):
        hyps = _translate(model_dir, sp, SENTENCES, compute_type, **options)
        assert [len(h) for h in hyps] == [SIZES["small"]["output_tokens"]] * len(SENTENCES)
        assert not {"<unk>", "<s>", "</s>"} & {t for h in hyps for t in h}
    # different inputs give (almost always) different outputs: the source matters
    hyps = _translate(model_dir, sp, SENTENCES, compute_type)
    assert len({tuple(h) for h in hyps}) >= len(SENTENCES) - 1


def test_output_is_deterministic_across_loads(extracted_en_de):
    sp = spm.SentencePieceProcessor(model_file=str(extracted_en_de / "sentencepiece.model"))
    first = _translate(extracted_en_de / "model", sp, SENTENCES, "int8")
    second = _translate(extracted_en_de / "model", sp, SENTENCES, "int8")
    assert first == second
    assert all(sp.decode_pieces(h).strip() for h in first)


def test_same_arguments_build_identical_files(tmp_path, en_de_package, argos_package_factory):
    seed = argos_package_factory.pair_seed("en", "de")
    again = build_random_package(tmp_path, "en", "de", seed=seed)
    assert again.read_bytes() == en_de_package.read_bytes()


def test_options_quantization_length_prefix_version(argos_package_factory, tmp_path):
    package = argos_package_factory("de", "fr", version="1.9.2", output_tokens=5,
                                    quantization="int8", target_prefix="__fr__", seed=3)
    assert package.name == "translate-de_fr-1_9_2.argosmodel"
    assert package_name("de", "fr", "1.9.2") == "translate-de_fr-1_9_2"
    top = _extract(package, tmp_path)
    metadata = json.loads((top / "metadata.json").read_text("utf-8"))
    assert metadata["target_prefix"] == "__fr__" and metadata["package_version"] == "1.9.2"
    config = json.loads((top / "model" / "config.json").read_text("utf-8"))
    assert config["unk_token"] == "<unk>" and config["eos_token"] == "</s>"
    sp = spm.SentencePieceProcessor(model_file=str(top / "sentencepiece.model"))
    assert sp.piece_to_id("__fr__") != sp.unk_id()
    hyps = _translate(top / "model", sp, SENTENCES, "int8",
                      target_prefix=[["__fr__"]] * len(SENTENCES))
    # the forced prefix token counts as one of the output_tokens
    assert all(h[0] == "__fr__" and len(h) == 5 for h in hyps)


def test_different_seeds_give_different_models(argos_package_factory):
    a = argos_package_factory("en", "de", seed=1)
    b = argos_package_factory("en", "de", seed=2)
    assert a.read_bytes() != b.read_bytes()


def test_command_line(tmp_path, capsys):
    assert main([str(tmp_path), "en", "uk", "--size", "small", "--seed", "4"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == str(tmp_path / "translate-en_uk-1_0.argosmodel")
    assert Path(printed).is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no leftovers


def test_building_does_not_import_torch(tmp_path):
    # ctranslate2.specs would import torch (slow, large) if allowed; the builder hides it.
    import subprocess
    import sys

    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from support.testmodel import build_random_package\n"
        f"build_random_package({str(tmp_path)!r}, 'en', 'de', vocab_size=400, d_model=16, heads=2)\n"
        "bad = [m for m in ('torch', 'stanza', 'argostranslate.translate') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    assert (tmp_path / "translate-en_de-1_0.argosmodel").is_file()
