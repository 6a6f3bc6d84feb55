"""Item analysis: how hard each question was and how well it told strong students
from weak ones, the figures Moodle's quiz statistics and PrairieLearn's question
statistics show instructors.

Pure functions over plain numbers (no Django), so the statistics are tested on their
own with numbers worked out by hand.

- difficulty (facility): the share of students who got the item right (full marks);
- upper-lower discrimination index D: the share right among the top 27 % of students by
  course total minus the share right among the bottom 27 % (Kelley's groups);
- point-biserial correlation between getting the item right and the *rest* of the
  course total (the total without this item's own points, so an item does not
  correlate with itself: Moodle's "discrimination index" is computed the same way).

Rules of thumb printed next to them: D or r below 0.2 is weak, below 0 means the
strong students did worse than the weak ones (a wrong key, an ambiguous prompt)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

KELLEY_FRACTION = 0.27
WEAK_DISCRIMINATION = 0.2


def difficulty(correct: Sequence[bool]) -> float | None:
    """The share of students who got the item right; None without students."""
    return sum(correct) / len(correct) if correct else None


def upper_lower_index(
    correct: Sequence[bool], totals: Sequence[float], fraction: float = KELLEY_FRACTION
) -> float | None:
    """D = p(upper group) − p(lower group), the groups being the `fraction` of students
    with the highest and the lowest totals (at least one student each). Ties on the
    total are broken by position, so the result is the same on every run. None with
    fewer than two students."""
    n = len(correct)
    if n != len(totals):
        raise ValueError("one total per student")
    if n < 2:
        return None
    size = max(1, round(fraction * n))
    order = sorted(range(n), key=lambda i: (totals[i], i))
    lower, upper = order[:size], order[-size:]
    return sum(correct[i] for i in upper) / size - sum(correct[i] for i in lower) / size


def point_biserial(correct: Sequence[bool], totals: Sequence[float]) -> float | None:
    """The Pearson correlation of a right/wrong item with a score:
    r = (M1 − M0) / s · √(p·q), s the population standard deviation of the scores.
    None when it is undefined (everyone right, everyone wrong, or all scores equal)."""
    n = len(correct)
    if n != len(totals):
        raise ValueError("one total per student")
    right = [t for c, t in zip(correct, totals, strict=True) if c]
    wrong = [t for c, t in zip(correct, totals, strict=True) if not c]
    if not right or not wrong:
        return None
    mean = sum(totals) / n
    sd = math.sqrt(sum((t - mean) ** 2 for t in totals) / n)
    if sd == 0:
        return None
    p = len(right) / n
    return (sum(right) / len(right) - sum(wrong) / len(wrong)) / sd * math.sqrt(p * (1 - p))


def top_answers(answers: Iterable[str], k: int = 3) -> list[tuple[str, int]]:
    """The `k` answers given most, with their counts; blanks are "(no answer)". Ties go
    to the answer first seen."""
    counts = Counter(a if a.strip() else "(no answer)" for a in answers)
    return counts.most_common(k)


@dataclass(frozen=True)
class Response:
    """One student's answer to one item: the points, the item's maximum, what they
    answered (as the table shows it) and their course total."""

    score: float
    max_score: float
    answer: str
    total: float

    @property
    def correct(self) -> bool:
        return self.score >= self.max_score - 1e-9


@dataclass(frozen=True)
class ItemStats:
    key: str
    label: str
    section: str
    kind: str
    max_score: float
    students: int
    difficulty: float | None
    upper_lower: float | None
    point_biserial: float | None
    mean_score: float | None
    answers: list[tuple[str, int]]

    @property
    def weak(self) -> bool:
        """Discrimination below the usual 0.2 threshold. An item everyone got right (or
        wrong) tells no one apart by construction, and is not flagged for it."""
        if self.difficulty is None or self.difficulty in (0.0, 1.0):
            return False
        values = [v for v in (self.upper_lower, self.point_biserial) if v is not None]
        return bool(values) and min(values) < WEAK_DISCRIMINATION


def item_stats(
    *, key: str, label: str, section: str, kind: str, max_score: float, responses: list[Response]
) -> ItemStats:
    correct = [r.correct for r in responses]
    totals = [r.total for r in responses]
    rest = [r.total - r.score for r in responses]
    return ItemStats(
        key=key,
        label=label,
        section=section,
        kind=kind,
        max_score=max_score,
        students=len(responses),
        difficulty=difficulty(correct),
        upper_lower=upper_lower_index(correct, totals),
        point_biserial=point_biserial(correct, rest),
        mean_score=sum(r.score for r in responses) / len(responses) if responses else None,
        answers=top_answers(r.answer for r in responses),
    )
