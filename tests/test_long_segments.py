"""No truncation, ever: long sentences are cut, translated and joined, and decoding has no fixed
cap (translate_pipeline/translation/segments.py), checked word by word with the dictionary model."""

from __future__ import annotations

import json
import random

import pytest
from support.cli import invoke
from hypothesis import given, settings
from hypothesis import strategies as st
from support.dictionary_model import shift_letters

from translate_pipeline.translation import segments
from translate_pipeline.translation.engine import Engine, EngineOptions
from translate_pipeline.errors import PackageError
from translate_pipeline.translation.packages import find_installed

S = "\u2581"  # SentencePiece's word start


def options(beam_size: int = 4) -> EngineOptions:
    return EngineOptions(device="cpu", threads=2, compute_type="int8", beam_size=beam_size)


def decode(pieces) -> str:
    """What the engine makes of pieces that translate to themselves."""
    text = "".join(pieces).replace(S, " ")
    return text[1:] if text.startswith(" ") else text


def words(pkg, count: int, seed: int = 0) -> list[str]:
    """``count`` words that are one piece each in ``pkg``'s vocabulary."""
    rng = random.Random(seed)
    vocabulary = pkg.whole_words()
    return [rng.choice(vocabulary) for _ in range(count)]


# --- the plan: where to cut, how to join -------------------------------------------------------


def test_sentences_within_the_limit_go_as_they_are():
    tokenized = [[S + "a", "b"], [S + "c"] * 200]
    plan = segments.plan(tokenized, 200)
    assert plan.segments == tuple(tokenized) and not plan.split
    assert plan.segments[0] is tokenized[0]  # not even copied
    assert plan.join(["x", "y"], "en") == ["x", "y"]


def test_a_cut_prefers_clause_punctuation_then_a_space_then_anywhere():
    clause = [S + "w"] * 60 + [","] + [S + "w"] * 100  # 161 pieces, a comma at 60
    assert segments.cut_points(clause, 100) == [61]  # after the comma, not the middle
    spaces = [S + "w", "x"] * 80  # words of two pieces
    (cut,) = segments.cut_points(spaces, 100)
    assert cut == 80 and spaces[cut].startswith(S)  # the middle word boundary
    solid = ["x"] * 250  # one "word" longer than the limit
    assert segments.cut_points(solid, 100) == [62, 125, 187]
    decimal = [S + "w"] * 70 + [S + "4", ",", "8"] + [S + "w"] * 70  # no cut inside 4,8
    assert 72 not in segments.cut_points(decimal, 100) and 73 not in segments.cut_points(decimal, 100)


def test_cjk_marks_and_bpe_word_ends():
    chinese = [S + "我"] + ["们"] * 90 + ["，"] + ["好"] * 60
    assert segments.cut_points(chinese, 100) == [92]  # after the full-width comma
    plan = segments.plan([chinese], 100)
    assert plan.gaps == (False, True)
    assert plan.join(["We", "good"], "en") == ["We good"]  # a space in English
    assert plan.join(["我们", "好"], "zh") == ["我们好"]  # none in Chinese
    bpe = ["wo@@", "rd"] * 60  # subword-nmt: a word continues after @@
    (cut,) = segments.cut_points(bpe, 100, bpe=True)
    assert cut % 2 == 0 and segments.plan([bpe], 100, bpe=True).gaps == (False, True)


def test_join_glues_a_cut_word_and_keeps_order():
    plan = segments.plan([["x"] * 5, [S + "a"] * 3], 2)
    assert len(plan.segments) == 5 and plan.owners == (0, 0, 0, 1, 1)
    assert plan.join(["ab", "c", "de", "A A", "A"], "en") == ["abcde", "A A A"]
    with pytest.raises(ValueError, match="4 translations for 5 segments"):
        plan.join(["a"] * 4, "en")


_PIECES = st.one_of(
    st.sampled_from([S + "der", S + "Rat", S, "s", "ch", "4", ",", ".", S + "—", S + "«", "»"]),
    st.text("abcxyzäöü,.;:!?-", min_size=1, max_size=3),
    st.text("abc", min_size=1, max_size=3).map(lambda t: S + t),
)


def _like_sentencepiece(pieces) -> bool:
    """A lone ▁ only before a piece that does not start a word (SentencePiece collapses and
    strips whitespace: never two word starts in a row, never a trailing one)."""
    follows = pieces[1:] + [S]
    return not any(p == S and f.startswith(S) for p, f in zip(pieces, follows))


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=400).filter(_like_sentencepiece),
       st.integers(1, 120))
def test_parts_fit_and_give_back_every_piece(pieces, limit):
    plan = segments.plan([pieces], limit)
    assert all(1 <= len(s) <= limit for s in plan.segments)
    assert [p for s in plan.segments for p in s] == pieces
    # a model that returns each part as it is gives back the sentence as it was
    assert plan.join([decode(s) for s in plan.segments], "en") == [decode(pieces)]


def test_decoding_length_follows_the_longest_input():
    assert segments.decoding_length([]) == segments.decoding_length([["a"] * 10]) == 256
    assert segments.decoding_length([["a"] * 10, ["a"] * 200]) == 3 * 200 + 16


def test_input_limit_default_declared_and_refused(install_dictionary, tmp_path):
    install_dictionary("de", "en")
    pkg = find_installed("de", "en")
    assert segments.input_limit(pkg) == segments.DEFAULT_MAX_PIECES == 200
    install_dictionary("de", "en", declared_limit=40)
    assert segments.input_limit(find_installed("de", "en")) == 40
    metadata = pkg.path / "metadata.json"
    for bad in ("200", 0, 2.5, True):
        record = json.loads(metadata.read_text(encoding="utf-8"))
        metadata.write_text(json.dumps({**record, "max_input_length": bad}), encoding="utf-8")
        with pytest.raises(PackageError) as info:
            segments.input_limit(pkg)
        assert str(info.value) == (f"translate-de_en-1_0: metadata.json max_input_length is not "
                                   f"a whole number >= 1: {bad!r}")


# --- with the dictionary model: every word back ------------------------------------------------


def test_a_5000_word_paragraph_without_punctuation_comes_back_whole(install_dictionary, tmp_path):
    pkg = install_dictionary("de", "en")
    paragraph = " ".join(words(pkg, 5000))
    assert len(pkg.pieces(paragraph)) == 5000  # 25 parts of 200 pieces
    article = tmp_path / "lang.txt"
    article.write_text(f"Ein Titel\n\n{paragraph}\n", encoding="utf-8")
    result = invoke("run", article, "--from", "de", "--to", "en", "-o", tmp_path / "out", "-q",
                    "--no-cache")
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "out" / "lang.json").read_text(encoding="utf-8"))
    text = record["languages"]["en"]["text"]
    assert text.split(" ") == [shift_letters(w, 1) for w in paragraph.split(" ")]
    assert text == pkg.translate(paragraph)


def test_a_600_piece_sentence_is_cut_at_commas_and_joined(install_dictionary):
    pkg = install_dictionary("de", "en")
    clauses = [" ".join(words(pkg, 50, seed=i)) for i in range(12)]
    sentence = ", ".join(clauses) + "."
    pieces = pkg.pieces(sentence)
    assert len(pieces) == 600 + 12  # 600 words, 11 commas, a full stop
    plan = segments.plan([pieces], 200)
    assert len(plan.segments) == 4 and all(s[-1] in (",", ".") for s in plan.segments)
    (out,) = Engine(options()).translate({("de", "en"): [sentence]})[("de", "en")]
    assert out == pkg.translate(sentence)
    assert out.rstrip(".").split(", ") == [shift_letters(c, 1) for c in clauses]


def test_a_declared_limit_lets_600_pieces_through_whole_without_the_256_cap(install_dictionary):
    pkg = install_dictionary("de", "en", declared_limit=1000)
    sentence = " ".join(words(pkg, 600, seed=3))
    (out,) = Engine(options()).translate({("de", "en"): [sentence]})[("de", "en")]
    assert out.split(" ") == [shift_letters(w, 1) for w in sentence.split(" ")]  # not 256 of them


def test_no_truncation_of_inputs_past_1024_pieces(install_dictionary):
    """CTranslate2 cuts inputs after 1,024 tokens by default (max_input_length)."""
    pkg = install_dictionary("de", "en", declared_limit=1090)
    sentence = " ".join(words(pkg, 1050, seed=4))
    (out,) = Engine(options(beam_size=1)).translate({("de", "en"): [sentence]})[("de", "en")]
    assert out == pkg.translate(sentence) and len(out.split(" ")) == 1050


def test_a_bad_declared_limit_fails_the_pair_with_a_clear_line(install_dictionary, tmp_path):
    install_dictionary("de", "en", declared_limit=-1)
    article = tmp_path / "a.txt"
    article.write_text("Titel\n\nDer Rat tagt.\n", encoding="utf-8")
    result = invoke("run", article, "--from", "de", "--to", "en", "-o", tmp_path / "out", "-q")
    assert result.exit_code == 1
    assert ("translate-de_en-1_0: metadata.json max_input_length is not a whole number >= 1: -1"
            in result.stderr)
