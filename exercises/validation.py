"""Validation of an exercise folder by grading its own answers (`checkcourse`).

An exercise is sound when its reference answer gets full marks, its starter does not,
each answer under wrong/ is recognised as the misconception it is named after, and
its seeded variants and inputs are reproducible."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from grader.grading import grade_answer, variant_params

from .course import ExerciseSpec
from .spec import inputs_rng

VALIDATION_SEEDS = (11, 4242)


@dataclass
class ValidationReport:
    slug: str
    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _answer(spec: ExerciseSpec, text: str) -> str:
    return text.strip() if spec.protocol == "formula" else text


def validate_spec(spec: ExerciseSpec) -> ValidationReport:
    report = ValidationReport(spec.slug)
    if spec.grading is None:
        report.lines.append("parts only (no sandbox protocol)")
        return report
    for seed in VALIDATION_SEEDS:
        a = variant_params(spec, seed), spec.grading.inputs(variant_params(spec, seed), inputs_rng(seed, 1))
        b = variant_params(spec, seed), spec.grading.inputs(variant_params(spec, seed), inputs_rng(seed, 1))
        if json.dumps(a, sort_keys=True, default=str) != json.dumps(b, sort_keys=True, default=str):
            report.problems.append(f"seed {seed}: variant or inputs are not reproducible")
        ref = grade_answer(spec, answer=_answer(spec, spec.solution), seed=seed, attempt=1)
        checks_max = spec.max_score - sum(float(p["max_score"]) for p in spec.parts)
        checks_score = sum(t["score"] for t in ref.results["tests"] if "part" not in t)
        if checks_score < checks_max - 1e-9:
            report.problems.append(
                f"seed {seed}: the reference scores {checks_score}/{checks_max}: {ref.results['output']}"
            )
        else:
            report.lines.append(f"reference {checks_score:g}/{checks_max:g} (seed {seed})")
    seed = VALIDATION_SEEDS[0]
    if spec.starter.strip():
        starter = grade_answer(spec, answer=_answer(spec, spec.starter), seed=seed, attempt=1)
        if starter.score >= spec.max_score - sum(float(p["max_score"]) for p in spec.parts) - 1e-9:
            report.problems.append("the starter code already gets full marks")
        else:
            report.lines.append(f"starter {starter.score:g}/{starter.max_score:g}")
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
            report.lines.append(f"wrong/{name} → {name} ({outcome.score:g}/{outcome.max_score:g})")
    missing = declared - set(spec.wrong_answers)
    for name in sorted(missing):
        report.problems.append(f"misconception {name!r} has no example answer under wrong/")
    return report
