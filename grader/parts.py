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
                    guess = float(params[rule["param"]]) if "param" in rule else float(rule["value"])
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
