"""The sentence benchmark's scoring (benchmarks/eval_sentences.py) on small files written here."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "eval_sentences", Path(__file__).resolve().parent.parent / "benchmarks" / "eval_sentences.py"
)
assert _SPEC and _SPEC.loader
ev = importlib.util.module_from_spec(_SPEC)
sys.modules["eval_sentences"] = ev  # dataclasses look their module up there
_SPEC.loader.exec_module(ev)


def _write(path: Path, paragraphs: list[list[str]], lang: str = "en") -> Path:
    rows = [{"lang": lang, "text": " ".join(p), "sentences": p, "doc": "d", "para": i}
            for i, p in enumerate(paragraphs)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_boundaries_are_scored_in_non_space_characters() -> None:
    gold = ["One two.", "Three.", "Four five."]
    text = " ".join(gold)
    score = ev.Score()
    # one boundary found, one missed, one spurious; spaces the splitter dropped do not matter
    missed, spurious = score.add(gold, ["One two.", "Three. Four", "five."], text)
    assert (score.tp, score.fp, score.fn) == (1, 1, 1)
    assert missed == {len("Onetwo.Three.")} and spurious == {len("Onetwo.Three.Four")}
    assert score.precision == 0.5 and score.recall == 0.5 and score.f1 == 0.5
    assert (score.whole, score.gold) == (1, 3)  # only "One two." came back whole


def test_a_perfect_split_scores_one_and_paragraph_ends_are_not_boundaries() -> None:
    gold = ["Alone here."]
    score = ev.Score()
    score.add(gold, gold, gold[0])
    assert (score.tp, score.fp, score.fn, score.whole) == (0, 0, 0, 1)
    assert score.f1 == 1.0 and score.whole_share == 1.0


def test_parts_pud_is_development_and_other_files_split_in_half(tmp_path: Path) -> None:
    _write(tmp_path / "en-pud.jsonl", [["A b."], ["C d."], ["E f."]])
    _write(tmp_path / "en-web.jsonl", [["A b."], ["C d."], ["E f."]])
    paragraphs = ev.load_ud([tmp_path])
    parts = {(p.treebank, p.index): p.dev for p in paragraphs}
    assert parts == {("en-pud", 0): True, ("en-pud", 1): True, ("en-pud", 2): True,
                     ("en-web", 0): True, ("en-web", 1): True, ("en-web", 2): False}


def test_pooled_scores_and_dev_errors_of_ours(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path / "en-web.jsonl", [
        ["Dr. Smith came home.", "He was late."],   # dev: right
        ["A heading without a stop", "Then text."],  # dev: the boundary is missed
        ["It rained.", "We left."],                  # held out: right
    ])
    assert ev.main(["--ud", str(tmp_path), "--only", "ours", "--errors"]) == 0
    out = capsys.readouterr().out
    dev, held = out.split("held-out part")[0], out.split("held-out part")[1].split("## UD")[0]
    assert "en pooled" in dev and "1.000 / 0.500 / 0.667 w 0.500" in dev
    assert "1.000 / 1.000 / 1.000 w 1.000" in held
    assert "[en-web #1] missed: …A heading without a stop ‖Then text.…" in out
    assert "[en-web #2]" not in out  # held-out errors are never printed


def test_bad_lines_and_paths_are_refused_with_their_name(tmp_path: Path) -> None:
    bad = tmp_path / "en-bad.jsonl"
    bad.write_text('{"lang": "en", "text": "A."}\n', encoding="utf-8")
    with pytest.raises(SystemExit, match=r"en-bad\.jsonl:1: not a UD paragraph line"):
        ev.load_ud([bad])
    with pytest.raises(SystemExit, match="no such file or folder"):
        ev.load_ud([tmp_path / "missing.jsonl"])
