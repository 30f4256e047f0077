"""The dictionary test model (tests/support/dictionary_model.py) translates piece by piece, exactly,
under real CTranslate2: the ground truth the oracle tests stand on."""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path

import pytest
from support.dictionary_model import build_dictionary_package, shift_letters

from translate_pipeline.translation.engine import Engine, EngineOptions
from translate_pipeline.translation.packages import install_file, list_installed

ctranslate2 = pytest.importorskip("ctranslate2")

LENGTHS = [1, 2, 3, 5, 17, 64, 199, 200, 201, 256, 257, 600, 1000]
DECODING = dict(length_penalty=0.2, replace_unknowns=True, max_input_length=0,
                max_decoding_length=1100)


@pytest.fixture(scope="module")
def de_en(dictionary_factory):
    return dictionary_factory("de", "en")


@pytest.fixture(scope="module")
def model_dir(de_en, tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("dictionary-extracted")
    with zipfile.ZipFile(de_en.path) as zf:
        zf.extractall(where)
    return where / "translate-de_en-1_0" / "model"


def random_sentence(pkg, length: int, rng: random.Random) -> list[str]:
    """``length`` pieces drawn from the whole vocabulary (special pieces aside)."""
    pieces = [p for p in pkg.vocabulary if p not in ("<unk>", "<s>", "</s>")]
    return [rng.choice(pieces) for _ in range(length)]


def test_shift_letters_is_a_caesar_cipher_of_ascii_letters():
    assert shift_letters("Zug, zahlt 4,8 Mio. – größer", 1) == "Avh, abimu 4,8 Njp. – hs\u00f6\u00dffs"
    assert shift_letters(shift_letters("Der Rat", 3), 23) == "Der Rat"


def test_it_is_a_real_argos_package(de_en):
    with zipfile.ZipFile(de_en.path) as zf:
        names = set(zf.namelist())
        metadata = json.loads(zf.read("translate-de_en-1_0/metadata.json"))
        config = json.loads(zf.read("translate-de_en-1_0/model/config.json"))
        source = json.loads(zf.read("translate-de_en-1_0/model/source_vocabulary.json"))
        target = json.loads(zf.read("translate-de_en-1_0/model/target_vocabulary.json"))
    assert {"translate-de_en-1_0/sentencepiece.model", "translate-de_en-1_0/model/model.bin"} <= names
    assert (metadata["from_code"], metadata["to_code"], metadata["type"]) == ("de", "en", "translate")
    assert "max_input_length" not in metadata  # declares no limit unless asked
    assert config["add_source_eos"] is True
    assert source == de_en.vocabulary and source[:3] == target[:3] == ["<unk>", "<s>", "</s>"]
    assert target == [shift_letters(p, 1) if i > 2 else p for i, p in enumerate(source)]
    installed = install_file(de_en.path)
    assert [p.pair for p in list_installed()] == [("de", "en")] == [installed.pair]


@pytest.mark.parametrize("compute_type", ["int8", "float32"])
def test_translates_exactly_from_1_to_1000_pieces(de_en, model_dir, compute_type):
    translator = ctranslate2.Translator(str(model_dir), compute_type=compute_type,
                                        intra_threads=2)
    rng = random.Random(compute_type)
    batch = [random_sentence(de_en, n, rng) for n in LENGTHS]
    rng.shuffle(batch)  # mixed lengths in each batch of 4
    expected = [de_en.translate_pieces(s) for s in batch]
    greedy = translator.translate_batch(batch, beam_size=1, max_batch_size=4, **DECODING)
    assert [r.hypotheses[0] for r in greedy] == expected
    short = [i for i, s in enumerate(batch) if len(s) <= 257]  # beam 4 costs n^2 on long ones
    beam = translator.translate_batch([batch[i] for i in short], beam_size=4, max_batch_size=3,
                                      return_scores=True, **DECODING)
    assert [r.hypotheses[0] for r in beam] == [expected[i] for i in short]
    assert all(r.scores[0] > -1e-3 for r in beam)  # log-probability ~0: no doubt at any step


def test_every_piece_of_the_vocabulary_and_unknown_characters(de_en, model_dir):
    translator = ctranslate2.Translator(str(model_dir), compute_type="int8")
    everything = [p for p in de_en.vocabulary if p not in ("<unk>", "<s>", "</s>")]
    unknown = de_en.pieces("ჯ hallo ჯ")
    assert "ჯ" in unknown  # not in the vocabulary: the source id is <unk>
    results = translator.translate_batch([everything, unknown], beam_size=4, **DECODING)
    assert results[0].hypotheses[0] == [shift_letters(p, 1) for p in everything]
    assert results[1].hypotheses[0] == de_en.translate_pieces(unknown)
    assert de_en.translate("ჯ hallo ჯ") == "ჯ ibmmp ჯ"  # replace_unknowns copies it back


def test_the_default_decoding_cap_cuts_600_pieces_to_256(de_en, model_dir):
    """What CTranslate2 does to a long segment unless told otherwise: the reason for issue 13."""
    translator = ctranslate2.Translator(str(model_dir), compute_type="int8")
    sentence = random_sentence(de_en, 600, random.Random(6))
    (cut,) = translator.translate_batch([sentence], beam_size=1)
    assert cut.hypotheses[0] == de_en.translate_pieces(sentence)[:256]
    (whole,) = translator.translate_batch([sentence], beam_size=1, max_decoding_length=700)
    assert whole.hypotheses[0] == de_en.translate_pieces(sentence)


def test_inputs_beyond_the_position_tables_are_refused(de_en, model_dir):
    translator = ctranslate2.Translator(str(model_dir), compute_type="int8")
    sentence = random_sentence(de_en, de_en.max_positions, random.Random(7))  # + </s>
    with pytest.raises(RuntimeError, match="position"):
        translator.translate_batch([sentence], beam_size=1, **DECODING)


def test_through_the_engine_the_text_is_the_oracle_s(install_dictionary):
    pkg = install_dictionary("de", "en")
    sentences = ["Der Rat tagt.", "Die Schulen erhalten 4,8 Mio. Euro mehr als im Vorjahr.",
                 "«Wir müssen handeln», sagte die Ministerin – „sofort“."]
    out = Engine(EngineOptions(device="cpu", threads=2)).translate({("de", "en"): sentences})
    assert out[("de", "en")][0] == "Efs Sbu ubhu."
    assert out[("de", "en")] == [pkg.translate(s) for s in sentences]
    assert out[("de", "en")][1] == "Ejf Tdivmfo fsibmufo 4,8 Njp. Fvsp nfis bmt jn Wpskbis."


def test_same_arguments_build_identical_files(tmp_path, de_en):
    again = build_dictionary_package(tmp_path, "de", "en")
    assert again.path.read_bytes() == de_en.path.read_bytes()
    other = build_dictionary_package(tmp_path / "other", "de", "en", shift=2)
    assert other.translate("Rat") == "Tcv" and other.path.read_bytes() != de_en.path.read_bytes()
