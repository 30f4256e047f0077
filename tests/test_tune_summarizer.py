"""The tuning objective of benchmarks/tune_summarizer.py: the issue's goals on lower bounds."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
_SPEC = importlib.util.spec_from_file_location("tune_summarizer", _BENCHMARKS / "tune_summarizer.py")
assert _SPEC and _SPEC.loader
tune = importlib.util.module_from_spec(_SPEC)
sys.modules["tune_summarizer"] = tune
_SPEC.loader.exec_module(tune)

LEAD = {"xlsum-en": [10.0] * 7, "mlsum-de": [40.0] * 7, "bbc-business": [40.0] * 4}
LEXRANK = {"xlsum-en": [0.0] * 7, "mlsum-de": [0.0] * 7, "bbc-business": [45.0] * 4}


def test_every_goal_met_surely_costs_nothing():
    ours = {"xlsum-en": [11.5] * 7, "mlsum-de": [41.5] * 7, "bbc-business": [46.0] * 4}
    value, gain, worst = tune.objective(ours, LEAD, LEXRANK)
    assert (gain, worst) == (pytest.approx(1.5), pytest.approx(1.5))
    assert value == pytest.approx(0.1 * 1.5)  # no violation: only the tie-breaking gain


def test_a_gain_that_rests_on_one_article_is_not_sure():
    # +2.0 on both sets, all of it from one article in seven (standard error 2.0 a set): the
    # lower bound of the mean gain is 2.0 - sqrt(2.0**2 + 2.0**2) / 2 = 0.59, short of +1.0
    lucky = {"xlsum-en": [10.0] * 6 + [24.0], "mlsum-de": [40.0] * 6 + [54.0],
             "bbc-business": [46.0] * 4}
    sure = {"xlsum-en": [11.2] * 7, "mlsum-de": [41.2] * 7, "bbc-business": [46.0] * 4}
    lucky_value, lucky_gain, _ = tune.objective(lucky, LEAD, LEXRANK)
    sure_value, sure_gain, _ = tune.objective(sure, LEAD, LEXRANK)
    assert lucky_gain > sure_gain
    assert sure_value > 0 > lucky_value
    assert lucky_value == pytest.approx(-(1.0 - 2.0 + 2.0 / 2**0.5) + 0.1 * 2.0)


def test_shortfalls_add_up_in_rouge_points():
    ours = {"xlsum-en": [13.0] * 7, "mlsum-de": [37.0] * 7, "bbc-business": [44.0] * 4}
    # mean gain 0: 1.0 short of lead + 1.0; mlsum-de -3.0: 2.0 below the -1.0 floor; bbc 1.0
    # below LexRank
    value, gain, worst = tune.objective(ours, LEAD, LEXRANK)
    assert (gain, worst) == (pytest.approx(0.0), pytest.approx(-3.0))
    assert value == pytest.approx(-(1.0 + 2.0 + 1.0))
