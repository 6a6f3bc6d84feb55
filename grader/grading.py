"""Grading one answer against one exercise: the pure pipeline, no database.

Used by the Celery tasks (through services.submission_grade and the quiz's
quiz_attempt_grade), the `grade` command and `checkcourse`, with the same limits
(`sandbox_limits`), so all of them grade identically. The student's part runs only in the
sandbox; the expected values are computed here, in the trusted process, with torch
autograd, after (and independently of) the sandbox run."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

import graphviz
from django.conf import settings

from exercises.course import ExerciseSpec
from exercises.spec import AnswerFailed, Check, full_marks, inputs_rng

from . import graphs, integrity, kinds
from .compare import compare
from .explain import explain, is_numbers_only
from .results import CheckResult, Outcome, results_json, total
from .sandbox import Job, Limits, SandboxResult, run
from .sandbox.codec import decode

logger = logging.getLogger(__name__)

NOTES_REF = "See §{section} of the lecture notes."


def sandbox_limits(spec: ExerciseSpec) -> Limits:
    """The one source of an answer's sandbox limits, whoever grades it (the worker, a
    regrade, a quiz, `manage.py grade`, `checkcourse`): the site's settings, unless the
    exercise's info.json sets its own."""
    return Limits(
        wall_seconds=float(spec.limits.get("wall_seconds", settings.GRADER_SANDBOX_WALL_SECONDS)),
        cpu_seconds=int(spec.limits.get("cpu_seconds", settings.GRADER_SANDBOX_CPU_SECONDS)),
    )


def _test(check: Check, score: float, output: str) -> CheckResult:
    return CheckResult(check.name, score, check.max_score, output, visibility=check.visibility)


def grade_parts(
    parts: list[dict[str, Any]], answers: dict[str, Any], params: dict[str, Any]
) -> list[CheckResult]:
    """An exercise's choice/numeric parts, each by its kind (plain data: no sandbox)."""
    ctx = kinds.ItemContext(params)
    return [kinds.kind(p["kind"]).grade(p, answers.get(p["id"]), ctx) for p in parts]


def _value(check: Check, outputs: dict[str, Any]) -> tuple[Any, str]:
    """The student's value for a check, or None and why it is missing."""
    try:
        return check.get(outputs), ""
    except AnswerFailed as exc:
        return None, f"your code raised {exc}"
    except (KeyError, IndexError, TypeError):
        return None, ""


# The sandbox's runner ends an error with the answer's line: "NameError: … (line 3)",
# "SyntaxError on line 2: …" (grader/sandbox/runner.py, describe_exception).
_LINE = re.compile(r"(?:\(line (\d+)\)|\bon line (\d+):)")


def visible_outputs(tests: list[CheckResult]) -> list[str]:
    return [t.output for t in tests if t.visibility == "visible"]


def error_line(texts: list[Any]) -> int | None:
    """The answer's line named by the first error text that names one."""
    for text in texts:
        if isinstance(text, str) and (found := _LINE.search(text)):
            return int(found.group(1) or found.group(2))
    return None


def _sandbox_failure_text(result: SandboxResult) -> str:
    if result.status == "timeout":
        return f"Your answer ran out of time: {result.error}"
    if result.status == "limit":
        return f"Your answer hit a resource limit: {result.error}"
    if result.status == "crashed":
        return f"Your answer crashed the Python process: {result.error}"
    return result.error


def _without_backward(spec: ExerciseSpec, outputs: dict[str, Any]) -> str:
    """Why a requires_autograd answer scores 0, or "": a call that returned a value
    without a backward pass (call protocol), or a script that ran none. Takes the
    count out of ``outputs`` (it is not a graded value)."""
    passes = outputs.pop("backward_passes", None)
    if not spec.requires_autograd or passes is None:
        return ""
    if isinstance(passes, dict):
        returned = [c for c, r in outputs.get("results", {}).items() if "value" in r]
        if all(passes.get(c) for c in returned):
            return ""
        return (
            "This exercise is about autograd: your function returned its result without "
            "running a backward pass (no backward() or torch.autograd.grad), so the numbers "
            "were not computed by autograd and score 0. Build the graph from a tensor with "
            "requires_grad=True, call backward() on the result and return the .grad."
        )
    if passes:
        return ""
    return (
        "This exercise is about autograd: your script never ran a backward pass (no "
        "backward() or torch.autograd.grad), so its numbers were not computed by autograd "
        "and score 0."
    )


def grade_answer(
    spec: ExerciseSpec,
    *,
    answer: str,
    parts: dict[str, Any] | None = None,
    seed: int,
    attempt: int,
) -> Outcome:
    started = time.perf_counter()
    params = spec.params(seed)
    tests: list[CheckResult] = []
    extra: dict[str, Any] = {"params": params}
    misconception = ""
    stdout = stderr = ""
    timings: dict[str, float] = {}
    summary: list[str] = []

    if spec.grading is not None:
        grading = spec.grading
        inputs = grading.inputs(params, inputs_rng(seed, attempt))
        refused = integrity.refusal(answer) if spec.by_hand else ""
        if refused:
            why = refused + " " + NOTES_REF.format(section=spec.notes_section)
            tests = [_test(c, 0.0, why) for c in grading.checks]
            summary.append(why)
            extra["integrity"] = "static"
        else:
            t0 = time.perf_counter()
            result = run(
                Job(
                    protocol=spec.protocol,
                    answer=answer,
                    inputs=inputs,
                    limits=sandbox_limits(spec),
                    forbid_autograd=spec.by_hand,
                    count_backward=spec.requires_autograd,
                )
            )
            timings["sandbox_ms"] = round((time.perf_counter() - t0) * 1000, 2)
            stdout, stderr = result.stdout, result.stderr
            t1 = time.perf_counter()
            expected = grading.expected(params, inputs)
            timings["reference_ms"] = round((time.perf_counter() - t1) * 1000, 2)
            outputs = decode(result.outputs) if result.status == "ok" else {}
            no_backward = _without_backward(spec, outputs)
            if result.autograd_blocked:
                why = (
                    "This exercise asks for the gradients by hand, without autograd: "
                    f"{result.error}. " + NOTES_REF.format(section=spec.notes_section)
                )
                tests = [_test(c, 0.0, why) for c in grading.checks]
                summary.append(why)
                extra["integrity"] = "runtime"
            elif result.status != "ok":
                failure = _sandbox_failure_text(result)
                tests = [_test(c, 0.0, failure) for c in grading.checks]
                summary.append(failure)
            elif no_backward:
                why = no_backward + " " + NOTES_REF.format(section=spec.notes_section)
                tests = [_test(c, 0.0, why) for c in grading.checks]
                summary.append(why)
                extra["integrity"] = "no-backward"
            else:
                tests, misconception, notes = _run_checks(spec, params, inputs, outputs, expected)
                summary.extend(notes)
            if result.status == "ok" and inputs.get("graph") and "graph_tensors" in expected:
                extra["graph"] = _graph_pictures(inputs["graph"], outputs, expected)
            if "read_as" in outputs:
                extra["read_as"] = outputs["read_as"]
            if spec.protocol == "script" and outputs.get("error"):
                extra["script_error"] = outputs["error"]
            if spec.protocol in ("call", "script"):
                line = error_line([result.error, outputs.get("error"), *visible_outputs(tests)])
                if line is not None:
                    extra["error_line"] = line  # the code editor marks it

    tests.extend(grade_parts(spec.parts, parts or {}, params))
    score = total(tests)
    max_score = spec.max_score
    if misconception and spec.grading is not None:
        extra["misconception"] = {
            "name": misconception,
            "message": next(
                m.message for m in spec.grading.misconceptions if m.name == misconception
            ),
        }
    extra["hidden_checks"] = sum(1 for t in tests if t.visibility != "visible")
    if full_marks(score, max_score):
        output = "All checks passed."
    else:
        output = " ".join(summary) or _count(tests)
    timings["grade_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return Outcome(
        score=score,
        max_score=max_score,
        results=results_json(tests, max_score=max_score, output=output, extra=extra),
        misconception=misconception,
        stdout=stdout,
        stderr=stderr,
        timings=timings,
    )


def _count(tests: list[CheckResult]) -> str:
    """The summary when nothing else says why: how many checks passed, and, when all of
    the code's checks passed, that only the questions below it are left."""
    code = [t for t in tests if not t.part]
    parts = [t for t in tests if t.part]
    wrong = [t for t in parts if not t.passed]
    if code and wrong and all(t.passed for t in code):
        return (
            f"Your code passes all {len(code)} of its checks; {len(wrong)} of the "
            f"{len(parts)} questions are not answered right yet (each says why)."
        )
    return f"{sum(t.passed for t in tests)} of {len(tests)} checks passed."


def _run_checks(
    spec: ExerciseSpec,
    params: dict[str, Any],
    inputs: dict[str, Any],
    outputs: dict[str, Any],
    expected: dict[str, Any],
) -> tuple[list[CheckResult], str, list[str]]:
    assert spec.grading is not None
    tests = []
    failed: list[Check] = []
    explained: list[str] = []
    batches = _batch_sizes(inputs)
    for check in spec.grading.checks:
        value, why_missing = _value(check, outputs)
        want = check.get(expected)
        result = compare(
            value, want, rtol=check.rtol, atol=check.atol, strict_tensor=check.strict_tensor
        )
        if result.ok:
            tests.append(_test(check, check.max_score, result.message))
            continue
        if why_missing:
            message = why_missing
        else:
            message = explain(
                check,
                value,
                want,
                result,
                expected_outputs=expected,
                points=_points(spec, check, inputs),
                batches=batches,
                # For `call`, the compared value is exactly what the function returned.
                returned=spec.protocol == "call",
            )
            if check.visibility == "visible":
                explained.append(message)
        tests.append(_test(check, 0.0, message))
        failed.append(check)
    notes: list[str] = []
    if outputs.get("error"):
        notes.append(str(outputs["error"]))
    misconception = ""
    if failed:
        misconception = match_misconception(spec, params, inputs, outputs)
        if misconception:
            message = next(
                m.message for m in spec.grading.misconceptions if m.name == misconception
            )
            notes.insert(0, message)
        elif explained:
            # No declared mistake fits: the first visible check that gives a reason leads
            # the card (a check that only shows numbers leads only if none does).
            notes.insert(0, next((m for m in explained if not is_numbers_only(m)), explained[0]))
    return tests, misconception, notes


def _graph_pictures(
    roots: list[str], outputs: dict[str, Any], expected: dict[str, Any]
) -> dict[str, Any] | None:
    """The student's graph (described in the sandbox) next to the reference's."""
    reference = graphs.reference_graph(roots, expected["graph_tensors"])
    if reference is None:
        return None
    try:
        return graphs.pictures(outputs.get("graph"), reference)
    except graphviz.ExecutableNotFound:
        logger.exception("graphviz's dot is not installed: no graph pictures")
        return None


def _points(spec: ExerciseSpec, check: Check, inputs: dict[str, Any]) -> list[float] | None:
    """The x of each value a visible formula check compares: its getter picks them out of
    the points exactly as it picks the values out of the outputs."""
    if check.visibility != "visible" or spec.protocol not in kinds.kind("formula").protocols:
        return None
    try:
        points = check.get({"values": inputs["points"]})
    except (KeyError, IndexError, TypeError):
        return None
    return [float(p) for p in points] if isinstance(points, list) else None


def _batch_sizes(inputs: dict[str, Any]) -> frozenset[int]:
    """The numbers of examples in the answer's input batches (the first dimension of each
    call's tensor arguments), so that a factor n can be named."""
    return frozenset(
        int(arg["shape"][0])
        for call in inputs.get("calls", [])
        for arg in call.get("args", [])
        if isinstance(arg, dict) and arg.get("__tensor__") and arg.get("shape")
        if int(arg["shape"][0]) > 1
    )


def match_misconception(
    spec: ExerciseSpec, params: dict[str, Any], inputs: dict[str, Any], outputs: dict[str, Any]
) -> str:
    """The first declared misconception whose predicted outputs the student's outputs
    match on its checks, or ""."""
    assert spec.grading is not None
    by_name = {c.name: c for c in spec.grading.checks}
    for m in spec.grading.misconceptions:
        predicted = m.outputs(params, inputs)
        checks = [by_name[n] for n in m.on_checks] if m.on_checks else spec.grading.checks
        try:
            if all(
                compare(
                    _value(c, outputs)[0],
                    c.get(predicted),
                    rtol=c.rtol,
                    atol=c.atol,
                    strict_tensor=c.strict_tensor,
                ).ok
                for c in checks
            ):
                return m.name
        except (KeyError, IndexError, TypeError):
            logger.exception("misconception %s of %s could not be compared", m.name, spec.slug)
    return ""
