"""A corpus of wrong answers written the way students of the lecture write them
(`tests/corpus/<slug>/<name>.py|txt`, the first line a comment saying what the student
did), graded through the real pipeline (`grade_answer`, the sandbox), and the measure of
how much of the feedback is *numbers only*: a count of passed checks, or "got …,
expected …", with no reason in the exercise's words.

Used by `manage.py feedbackreport` (the table) and by the tests (no corpus answer may
get full marks)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exercises.course import load_spec
from exercises.spec import full_marks

from .explain import is_numbers_only
from .grading import grade_answer

CORPUS_SEED = 20241128  # the lecture's date: one fixed student for the whole corpus


@dataclass(frozen=True)
class CorpusAnswer:
    slug: str
    name: str
    what: str  # the comment on the first line: what the student did
    answer: str


@dataclass(frozen=True)
class Graded:
    entry: CorpusAnswer
    score: float
    max_score: float
    feedback: str  # the feedback's first line, as the student reads it first
    numbers_only: bool


def load_corpus(root: Path) -> list[CorpusAnswer]:
    entries = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".py", ".txt"):
                continue
            first, _, rest = path.read_text(encoding="utf-8").partition("\n")
            if not first.startswith("#"):
                raise ValueError(f"{path}: the first line must say what the student did")
            # A formula file is the comment and one formula; a code file keeps its text
            # as submitted (the comment is harmless Python).
            answer = rest.strip() if path.suffix == ".txt" else f"{first}\n{rest}"
            entries.append(CorpusAnswer(folder.name, path.stem, first.lstrip("# "), answer))
    return entries


def _first_line(results: dict[str, Any]) -> str:
    output = str(results.get("output", "")).strip()
    if not is_numbers_only(output):
        return output.splitlines()[0] if output else ""
    failed = [t for t in results.get("tests", []) if t["status"] == "failed" and not t.get("part")]
    shown = [t for t in failed if t.get("visibility") == "visible"] or failed
    return f"{output} {shown[0]['output']}" if shown else output


def feedback_is_numbers_only(results: dict[str, Any], misconception: str) -> bool:
    """No misconception named, a summary that is only the count, and every failed check
    of the code saying only numbers: the student learns *that* it is wrong, not *why*."""
    if misconception or not is_numbers_only(str(results.get("output", ""))):
        return False
    failed = [t for t in results.get("tests", []) if t["status"] == "failed" and not t.get("part")]
    return all(is_numbers_only(t["output"]) for t in failed)


def grade_entry(entry: CorpusAnswer) -> Graded:
    outcome = grade_answer(load_spec(entry.slug), answer=entry.answer, seed=CORPUS_SEED, attempt=1)
    return Graded(
        entry=entry,
        score=outcome.score,
        max_score=outcome.max_score,
        feedback=_first_line(outcome.results),
        numbers_only=feedback_is_numbers_only(outcome.results, outcome.misconception),
    )


def solved(graded: Graded) -> bool:
    return full_marks(graded.score, graded.max_score)
