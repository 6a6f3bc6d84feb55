"""The item statistics on numbers worked out by hand (and, for the correlation, checked
against the standard library's Pearson correlation)."""

from __future__ import annotations

import math
import statistics

import pytest

from dashboard.item_analysis import (
    Response,
    difficulty,
    item_stats,
    point_biserial,
    top_answers,
    upper_lower_index,
)

# Ten students, totals 10 down to 1; five of them got the item right.
CORRECT = [True, True, True, False, False, False, True, False, True, False]
TOTALS = [10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0]


def test_difficulty_is_the_share_of_students_right() -> None:
    assert difficulty(CORRECT) == 0.5
    assert difficulty([True, True, True, False]) == 0.75
    assert difficulty([]) is None


def test_upper_lower_index_compares_the_top_and_bottom_27_percent() -> None:
    # round(0.27 × 10) = 3 per group. Top three (10, 9, 8): all right → 1.
    # Bottom three (1, 2, 3): only the student on 2 → 1/3. D = 1 − 1/3.
    assert upper_lower_index(CORRECT, TOTALS) == pytest.approx(2 / 3)
    # Right answers only among the weakest students: a negative index.
    assert upper_lower_index([False, False, True, True], [4.0, 3.0, 2.0, 1.0]) == -1.0
    assert upper_lower_index([True], [3.0]) is None


def test_point_biserial_matches_the_formula_and_pearsons_r() -> None:
    # Right: 10, 9, 8, 4, 2 (mean 6.6); wrong: 7, 6, 5, 3, 1 (mean 4.4); all: mean 5.5,
    # population sd √8.25; p = q = 0.5. r = 2.2 / √8.25 × 0.5 = 0.38297…
    r = point_biserial(CORRECT, TOTALS)
    assert r == pytest.approx(2.2 / math.sqrt(8.25) * 0.5)
    assert round(r or 0, 4) == 0.383
    assert r == pytest.approx(statistics.correlation([float(c) for c in CORRECT], TOTALS))


def test_point_biserial_is_undefined_without_spread() -> None:
    assert point_biserial([True, True], [1.0, 2.0]) is None  # everyone right
    assert point_biserial([False, False], [1.0, 2.0]) is None  # everyone wrong
    assert point_biserial([True, False], [3.0, 3.0]) is None  # every total equal


def test_top_answers_counts_and_names_blanks() -> None:
    answers = ["a", "b", "a", " ", "c", "a", "b"]
    assert top_answers(answers) == [("a", 3), ("b", 2), ("(no answer)", 1)]
    assert top_answers(answers, k=1) == [("a", 3)]


def test_item_stats_correlates_with_the_rest_of_the_total() -> None:
    # A 1-point item: each student's total includes it. Against the rest of the total
    # (total − the item's points) the correlation is that of CORRECT with TOTALS − 1
    # for the students who got it right.
    responses = [
        Response(score=1.0 if c else 0.0, max_score=1.0, answer="x" if c else "y", total=t)
        for c, t in zip(CORRECT, TOTALS, strict=True)
    ]
    stats = item_stats(
        key="q1", label="q1", section="1", kind="choice", max_score=1.0, responses=responses
    )
    rest = [t - (1.0 if c else 0.0) for c, t in zip(CORRECT, TOTALS, strict=True)]
    assert stats.students == 10
    assert stats.difficulty == 0.5
    assert stats.upper_lower == pytest.approx(2 / 3)
    assert stats.point_biserial == pytest.approx(
        statistics.correlation([float(c) for c in CORRECT], rest)
    )
    assert stats.point_biserial < point_biserial(CORRECT, TOTALS)  # type: ignore[operator]
    assert stats.answers == [("x", 5), ("y", 5)]
    assert stats.mean_score == 0.5
    assert not stats.weak


def test_weak_flags_low_discrimination_only_where_students_differ() -> None:
    def stats(correct: list[bool], totals: list[float]) -> bool:
        responses = [
            Response(score=float(c), max_score=1.0, answer="", total=t)
            for c, t in zip(correct, totals, strict=True)
        ]
        return item_stats(
            key="k", label="k", section="1", kind="choice", max_score=1.0, responses=responses
        ).weak

    assert stats([False, False, True, True], [4.0, 3.0, 2.0, 1.0])  # negative: weak
    assert not stats([True, True, False, False], [4.0, 3.0, 2.0, 1.0])  # D = 1
    assert not stats([True, True, True, True], [4.0, 3.0, 2.0, 1.0])  # everyone right
