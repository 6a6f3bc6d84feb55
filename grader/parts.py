"""Choice and numeric parts of an exercise, graded in the trusted process.

These answers are data (option ids, a number), so no sandbox is needed: a numeric
answer is read with float() on a length-capped string, never evaluated."""

from __future__ import annotations

import math
from typing import Any


def _number(text: Any) -> float | None:
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text)
    if not isinstance(text, str) or len(text) > 64:
        return None
    try:
        value = float(text.strip().replace("−", "-"))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def part_expected_number(part: dict[str, Any], params: dict[str, Any]) -> float:
    if "answer_param" in part:
        return float(params[part["answer_param"]])
    return float(part["answer"])


def grade_part(part: dict[str, Any], answer: Any, params: dict[str, Any]) -> dict[str, Any]:
    max_score = float(part["max_score"])
    feedback = part.get("feedback", {})
    if part["kind"] == "choice":
        chosen = answer if isinstance(answer, list) else ([answer] if answer else [])
        chosen_set = {c for c in chosen if isinstance(c, str)}
        correct = set(part["correct"])
        ok = chosen_set == correct
        if ok:
            output = "Correct."
        elif not chosen_set:
            output = "No option was chosen."
        else:
            wrong = sorted(chosen_set - correct)
            hints = [feedback[w] for w in wrong if w in feedback]
            output = " ".join(hints) or "Not the right choice."
    else:
        value = _number(answer)
        want = part_expected_number(part, params)
        tol = float(part.get("tolerance", 1e-6))
        if value is None:
            ok, output = False, "Give a number, e.g. 4 or -0.25."
        else:
            ok = math.isclose(value, want, rel_tol=tol, abs_tol=tol)
            output = "Correct." if ok else f"{value:g} is not right."
            if not ok:
                for rule in part.get("misconceptions", []):
                    guess = (
                        float(params[rule["param"]]) if "param" in rule else float(rule["value"])
                    )
                    if math.isclose(value, guess, rel_tol=tol, abs_tol=tol):
                        output += " " + rule["message"]
                        break
    return {
        "name": part.get("name", part["id"]),
        "score": max_score if ok else 0.0,
        "max_score": max_score,
        "status": "passed" if ok else "failed",
        "output": output,
        "visibility": part.get("visibility", "visible"),
        "part": part["id"],
    }


def grade_parts(
    parts: list[dict[str, Any]], answers: dict[str, Any], params: dict[str, Any]
) -> list[dict[str, Any]]:
    return [grade_part(p, answers.get(p["id"]), params) for p in parts]


def reference_answers(parts: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
    """The answers that get every part right (used by checkcourse and the demo script)."""
    answers: dict[str, Any] = {}
    for part in parts:
        if part["kind"] == "choice":
            answers[part["id"]] = (
                list(part["correct"]) if part.get("multiple") else part["correct"][0]
            )
        else:
            answers[part["id"]] = repr(part_expected_number(part, params))
    return answers


def part_problems(part: dict[str, Any], params: dict[str, Any]) -> list[str]:
    """What is wrong with one part for one variant: its reference answer must score full
    marks, and each declared wrong answer must score 0 and get its own message."""
    problems: list[str] = []
    where = f"part {part['id']!r}"
    if "answer_param" in part and part["answer_param"] not in params:
        return [f"{where}: 'answer_param' {part['answer_param']!r} is not a variant parameter"]
    right = grade_part(part, reference_answers([part], params)[part["id"]], params)
    if right["status"] != "passed":
        problems.append(f"{where}: the reference answer fails: {right['output']}")
    if part["kind"] == "choice":
        ids = {o["id"] for o in part["options"]}
        if len(part["correct"]) > 1 and not part.get("multiple"):
            problems.append(f'{where}: several correct options need "multiple": true')
        for option in part.get("feedback", {}):
            if option not in ids:
                problems.append(f"{where}: feedback for unknown option {option!r}")
            elif option in part["correct"]:
                problems.append(f"{where}: feedback is for wrong options; {option!r} is correct")
        return problems
    for rule in part.get("misconceptions", []):
        if "param" in rule and rule["param"] not in params:
            problems.append(
                f"{where}: misconception param {rule['param']!r} is not a variant parameter"
            )
            continue
        guess = params[rule["param"]] if "param" in rule else rule.get("value")
        result = grade_part(part, repr(float(guess)), params)
        if result["status"] == "passed" or rule["message"] not in result["output"]:
            problems.append(
                f"{where}: the wrong answer {guess!r} is not recognised: {result['output']}"
            )
    return problems
