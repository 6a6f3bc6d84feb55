"""The typed result of one graded check, part or quiz question, and of one answer.

Every kind of answer ends in `CheckResult`s, and an answer's `Outcome` sums them; both
turn into the JSON stored with a submission or quiz attempt (`results["tests"]` and
`results`), which the result card, the console, the gradebook and the API read. "Passed"
and "solved" have one definition, `exercises.spec.full_marks`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exercises.spec import full_marks


@dataclass
class CheckResult:
    name: str
    score: float
    max_score: float
    # What the student reads about this check: why it failed, or "Correct.".
    output: str
    visibility: str = "visible"
    # Where the check comes from, when it is not one of the exercise's own checks.
    part: str = ""  # an exercise's choice/numeric part
    question: str = ""  # a quiz question
    section: str = ""  # the § of the notes a quiz question practises
    # How a formula was read, and the declared mistake it was recognised as.
    read_as: str = ""
    misconception: str = ""
    # A quiz formula's comparison, kept next to the misconception's message.
    checked: str = ""

    @property
    def passed(self) -> bool:
        return full_marks(self.score, self.max_score)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "score": self.score,
            "max_score": self.max_score,
            "status": "passed" if self.passed else "failed",
            "output": self.output,
            "visibility": self.visibility,
        }
        for key in ("part", "question", "section", "read_as", "misconception", "checked"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data


@dataclass
class Outcome:
    """One graded answer (an exercise submission or a quiz attempt)."""

    score: float
    max_score: float
    results: dict[str, Any]
    misconception: str = ""
    stdout: str = ""
    stderr: str = ""
    timings: dict[str, float] = field(default_factory=dict)


def results_json(
    checks: list[CheckResult], *, max_score: float, output: str, extra: dict[str, Any]
) -> dict[str, Any]:
    """The stored results of an answer: its score is the sum of its checks'."""
    return {
        "score": total(checks),
        "max_score": max_score,
        "output": output,
        "tests": [c.to_json() for c in checks],
        "extra": extra,
    }


def total(checks: list[CheckResult]) -> float:
    return round(sum(c.score for c in checks), 6)
