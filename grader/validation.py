"""Validation of an exercise folder by grading its own answers (`checkcourse`).

An exercise is sound when its reference answer (with the right answers to its parts)
gets full marks, its starter does not, each answer under wrong/ is recognised as the
misconception it is named after, each part's declared wrong answers get their own
message, and its seeded variants and inputs are reproducible."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from exercises.course import ExerciseSpec
from exercises.quiz import QuizSpec, quiz_fingerprint
from exercises.spec import SOLVED_EPSILON, full_marks, inputs_rng
from notes.pages import note_pages, section_refs, sections_of

from . import kinds
from .grading import grade_answer
from .quiz_grading import grade_quiz, reference_quiz_answers

VALIDATION_SEEDS = (11, 4242)
# The most an unchanged starter may score, as a share of the exercise's points: the
# starter is where a student begins, and submitting it must not pass for work.
STARTER_MAX_SHARE = 0.2


@dataclass
class ValidationReport:
    slug: str
    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _answer(spec: ExerciseSpec, text: str) -> str:
    return text.strip() if spec.protocol in kinds.kind("formula").protocols else text


def _item_problems(item: dict[str, Any], params: dict[str, Any]) -> list[str]:
    return kinds.kind(item["kind"]).problems(item, params)


def _fingerprint(spec: ExerciseSpec, seed: int) -> str:
    params = spec.params(seed)
    made: dict[str, Any] = {"params": params}
    if spec.grading is not None:
        made["inputs"] = spec.grading.inputs(params, inputs_rng(seed, 1))
    return json.dumps(made, sort_keys=True, default=str)


def _check_variants(spec: ExerciseSpec, report: ValidationReport) -> None:
    for seed in VALIDATION_SEEDS:
        if _fingerprint(spec, seed) != _fingerprint(spec, seed):
            report.problems.append(f"seed {seed}: variant or inputs are not reproducible")


def _check_parts(spec: ExerciseSpec, report: ValidationReport) -> None:
    for seed in VALIDATION_SEEDS:
        params = spec.params(seed)
        for part in spec.parts:
            report.problems.extend(f"seed {seed}: {p}" for p in _item_problems(part, params))


def _check_reference(spec: ExerciseSpec, report: ValidationReport) -> None:
    for seed in VALIDATION_SEEDS:
        parts = kinds.reference_answers(spec.parts, spec.params(seed))
        answer = _answer(spec, spec.solution) if spec.grading is not None else ""
        ref = grade_answer(spec, answer=answer, parts=parts, seed=seed, attempt=1)
        if not full_marks(ref.score, spec.max_score):
            report.problems.append(
                f"seed {seed}: the reference scores {ref.score:g}/{spec.max_score:g}: "
                f"{ref.results['output']}"
            )
        else:
            report.lines.append(f"reference {ref.score:g}/{spec.max_score:g} (seed {seed})")


def _check_hints(spec: ExerciseSpec, report: ValidationReport) -> None:
    """Every exercise has a hint ladder, and every § its hints or its section field name
    is a page of the notes (so each link leads somewhere)."""
    if not spec.hints:
        report.problems.append(
            "no hints: add a 'hints' list to info.json (a nudge, the § to reread, a worked "
            "step; docs/authoring.md)"
        )
    else:
        report.lines.append(f"{len(spec.hints)} hints (penalty {spec.hint_penalty:g} each)")
    pages = note_pages()
    named = sections_of(spec.notes_section) + [n for h in spec.hints for n in section_refs(h)]
    missing = sorted({n for n in named if n not in pages})
    if missing:
        report.problems.append(f"§{', §'.join(map(str, missing))}: no such page of the notes")


def _check_starter(spec: ExerciseSpec, report: ValidationReport, seed: int) -> None:
    """The unchanged starter scores at most STARTER_MAX_SHARE of the points, and its code
    at most that share of the code's points even with every part answered right."""
    assert spec.grading is not None
    code_max = sum(c.max_score for c in spec.grading.checks)
    alone = grade_answer(spec, answer=_answer(spec, spec.starter), seed=seed, attempt=1)
    parts = kinds.reference_answers(spec.parts, spec.params(seed))
    with_parts = grade_answer(
        spec, answer=_answer(spec, spec.starter), parts=parts, seed=seed, attempt=1
    )
    code_score = sum(t["score"] for t in with_parts.results["tests"] if "part" not in t)
    share = alone.score / spec.max_score
    line = f"starter {alone.score:g}/{spec.max_score:g} ({share:.0%})"
    if spec.parts:
        line += f"; its code {code_score:g}/{code_max:g} with the parts answered right"
    report.lines.append(line)
    limit = f"{STARTER_MAX_SHARE:.0%}"
    if alone.score > STARTER_MAX_SHARE * spec.max_score + SOLVED_EPSILON:
        report.problems.append(f"the starter scores {share:.0%}, more than {limit}")
    if code_score > STARTER_MAX_SHARE * code_max + SOLVED_EPSILON:
        report.problems.append(
            f"the starter's code scores {code_score:g}/{code_max:g}, more than {limit} of it"
        )


def validate_spec(spec: ExerciseSpec, *, needs_hints: bool = True) -> ValidationReport:
    """``needs_hints``: False for a quiz's formula question, which has no hint ladder."""
    report = ValidationReport(spec.slug)
    _check_variants(spec, report)
    if needs_hints:
        _check_hints(spec, report)
    for seed in VALIDATION_SEEDS:
        texts = [spec.statement, *(p["prompt"] for p in spec.parts)]
        unknown = _unknown_placeholders(texts, spec.params(seed))
        if unknown:
            report.problems.append(f"seed {seed}: the statement uses unknown parameters {unknown}")
    _check_parts(spec, report)
    _check_reference(spec, report)
    if spec.grading is None:
        return report
    seed = VALIDATION_SEEDS[0]
    if spec.starter.strip():
        _check_starter(spec, report, seed)
    declared = {m.name for m in spec.grading.misconceptions}
    for name, text in spec.wrong_answers.items():
        if name not in declared:
            report.problems.append(f"wrong/{name}: no misconception named {name!r} is declared")
            continue
        outcome = grade_answer(spec, answer=_answer(spec, text), seed=seed, attempt=1)
        if outcome.misconception != name:
            report.problems.append(
                f"wrong/{name}: recognised as {outcome.misconception or 'nothing'!r}, "
                f"score {outcome.score:g}: {outcome.results['output']}"
            )
        else:
            report.lines.append(
                f"misconception {name} recognised in wrong/{name} "
                f"({outcome.score:g}/{outcome.max_score:g})"
            )
    missing = declared - set(spec.wrong_answers)
    for name in sorted(missing):
        report.problems.append(f"misconception {name!r} has no example answer under wrong/")
    return report


_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def _unknown_placeholders(texts: list[str], params: dict[str, Any]) -> list[str]:
    return sorted({m for text in texts for m in _PLACEHOLDER.findall(text) if m not in params})


def validate_quiz(spec: QuizSpec) -> ValidationReport:
    """A quiz is sound when its reference answers get full marks for every validation
    seed, each question's declared wrong answers are recognised (formula misconceptions
    through the sandbox, numeric ones by their message), its prompts name only variant
    parameters, and its variants are reproducible."""
    report = ValidationReport(spec.slug)
    for seed in VALIDATION_SEEDS:
        if quiz_fingerprint(spec, seed) != quiz_fingerprint(spec, seed):
            report.problems.append(f"seed {seed}: variant or formula points are not reproducible")
        params = spec.params(seed)
        unknown = _unknown_placeholders([q["prompt"] for q in spec.questions], params)
        if unknown:
            report.problems.append(f"seed {seed}: prompts use unknown parameters {unknown}")
        for question in spec.questions:
            report.problems.extend(f"seed {seed}: {p}" for p in _item_problems(question, params))
        ref = grade_quiz(spec, answers=reference_quiz_answers(spec, params), seed=seed)
        if not full_marks(ref.score, spec.max_score):
            failed = [
                f"{t['question']}: {t['output']}"
                for t in ref.results["tests"]
                if t["status"] != "passed"
            ]
            report.problems.append(
                f"seed {seed}: the reference answers score {ref.score:g}/{spec.max_score:g}: {failed}"
            )
        else:
            report.lines.append(
                f"reference {ref.score:g}/{spec.max_score:g} over {len(spec.questions)} questions (seed {seed})"
            )
    for qid, formula in spec.formulas.items():
        sub = validate_spec(formula, needs_hints=False)
        report.problems.extend(f"{qid}: {p}" for p in sub.problems)
        report.lines.extend(
            f"{qid}: {line}" for line in sub.lines if line.startswith("misconception ")
        )
    kinds = sorted({q["kind"] for q in spec.questions})
    sections = sorted({q["section"] for q in spec.questions})
    report.lines.append(
        f"{len(spec.questions)} questions ({', '.join(kinds)}), notes § {', '.join(sections)}"
    )
    return report
