"""Parent-side checks: what may go into the child, and what may come back out.

The child's result is untrusted bytes.  ``check_result`` parses it (bounded), checks it
against the protocol's schema and the request it answers (same points count, same call
ids, same read paths), and cleans every string so it can be stored in PostgreSQL (no NUL,
no lone surrogates).  Anything else is an ``InvalidResult``, except one thing: a value
that is well formed but out of bounds (``codec.Problem.of_value``) is what the student's
code returned, so it is replaced by a refused value that fails only its own check.
"""

from __future__ import annotations

import json
import math
from typing import Any

from . import codec, graph
from .api import PROTOCOLS, Job

MAX_ANSWER_CHARS = 200_000
MAX_INPUT_BYTES = 5_000_000
MAX_ERROR_CHARS = 4_000
MAX_POINTS = 10_000
MAX_NODES = 2_000_000


class InvalidResult(ValueError):
    """The child's result does not match the protocol: treated as a crash."""


def clean_text(text: str) -> str:
    """Make a string storable in PostgreSQL text/jsonb: no NUL, no lone surrogates."""
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(key): _clean(item) for key, item in value.items()}
    return value


# --- inputs ----------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return math.isfinite(value)
    return value in codec.NONFINITE


def _is_path(path: Any) -> bool:
    return (
        isinstance(path, str)
        and 0 < len(path) <= 200
        and all(part.isidentifier() and not part.startswith("__") for part in path.split("."))
    )


def check_job(job: Job) -> bytes:
    """Validate a Job and return the request payload for the child (JSON bytes)."""
    if job.protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {job.protocol!r}")
    if not isinstance(job.answer, str):
        raise ValueError("answer must be a str")
    inputs = job.inputs
    if not isinstance(inputs, dict):
        raise ValueError("inputs must be a dict")
    if job.protocol == "formula":
        points = inputs.get("points")
        if set(inputs) != {"points"} or not isinstance(points, list):
            raise ValueError('formula inputs must be {"points": [float, ...]}')
        if not 0 < len(points) <= MAX_POINTS or not all(_is_number(p) for p in points):
            raise ValueError(f"points must be 1..{MAX_POINTS} numbers")
    elif job.protocol == "call":
        calls = inputs.get("calls")
        if set(inputs) != {"calls"} or not isinstance(calls, list):
            raise ValueError('call inputs must be {"calls": [...]}')
        ids = set()
        for call in calls:
            if not isinstance(call, dict) or not {"id", "function"} <= set(call) <= {
                "id",
                "function",
                "args",
                "kwargs",
            }:
                raise ValueError("each call needs id and function, optionally args and kwargs")
            if not isinstance(call["id"], str) or call["id"] in ids:
                raise ValueError("call ids must be distinct strings")
            ids.add(call["id"])
            if not isinstance(call["function"], str) or not call["function"].isidentifier():
                raise ValueError("call function must be an identifier")
            if not isinstance(call.get("args", []), list):
                raise ValueError("call args must be a list")
            if not isinstance(call.get("kwargs", {}), dict):
                raise ValueError("call kwargs must be a dict")
    else:
        if not set(inputs) <= {"globals", "read", "graph"}:
            raise ValueError(
                'script inputs must be {"globals": {...}, "read": [...], "graph": [...]}'
            )
        roots = inputs.get("graph", [])
        if not isinstance(roots, list) or not all(
            isinstance(r, str) and r.isidentifier() for r in roots
        ):
            raise ValueError("script graph must be a list of names")
        globals_ = inputs.get("globals", {})
        read = inputs.get("read", [])
        if not isinstance(globals_, dict) or not all(
            isinstance(k, str) and k.isidentifier() for k in globals_
        ):
            raise ValueError("script globals must map identifiers to encoded values")
        if not isinstance(read, list) or not all(_is_path(p) for p in read):
            raise ValueError("script read must be a list of names or dotted attribute paths")
        if len(set(read)) != len(read):
            raise ValueError("script read paths must be distinct")
    problem = codec.validate(inputs)
    if problem:
        raise ValueError(f"inputs are not a valid encoding: {problem}")
    limits = job.limits
    if not (
        limits.wall_seconds > 0
        and limits.cpu_seconds > 0
        and limits.memory_mb > 0
        and limits.output_bytes >= 0
        and limits.result_bytes > 0
    ):
        raise ValueError("limits must be positive")
    if job.count_backward and job.protocol == "formula":
        raise ValueError("count_backward is for the call and script protocols")
    request: dict[str, Any] = {"protocol": job.protocol, "answer": job.answer, "inputs": inputs}
    if job.count_backward:
        request["count_backward"] = True
    payload = json.dumps(
        request,
        allow_nan=False,
        ensure_ascii=False,
    ).encode("utf-8", "surrogatepass")
    if len(payload) > MAX_INPUT_BYTES:
        raise ValueError("job is too large")
    return payload


# --- outputs ---------------------------------------------------------------------------


def _fail(message: str) -> InvalidResult:
    return InvalidResult(message)


def _checked(value: Any, budget: list[int], what: str, returned: str) -> Any:
    """``value`` if it is a valid encoding within bounds; a refused value saying
    "{returned} …" if it is well formed but out of bounds; else InvalidResult."""
    problem = codec.check(value, budget)
    if problem is None:
        return value
    if problem.of_value:
        return codec.refused(f"{returned} {problem.message}.")
    raise _fail(f"{what}: {problem.message}")


def _check_outputs(job: Job, outputs: Any) -> None:
    if not isinstance(outputs, dict):
        raise _fail("outputs is not an object")
    budget = [MAX_NODES]
    expected = {
        "formula": {"values", "read_as"},
        "call": {"results"},
        "script": {"values", "error", "graph"} if job.inputs.get("graph") else {"values", "error"},
    }[job.protocol]
    if job.count_backward:
        expected = expected | {"backward_passes"}
        _check_backward_passes(job, outputs.get("backward_passes"))
    if set(outputs) != expected:
        raise _fail(f"outputs has keys {sorted(outputs)[:10]}, expected {sorted(expected)}")
    if job.protocol == "formula":
        values = outputs["values"]
        if not isinstance(values, list) or len(values) != len(job.inputs["points"]):
            raise _fail("values is not a list with one value per point")
        for value in values:
            # The formula evaluator returns floats only: anything else is forged.
            if not (
                (isinstance(value, float) and math.isfinite(value))
                or (isinstance(value, str) and value in codec.NONFINITE)
            ):
                raise _fail("values must be numbers")
        if not isinstance(outputs["read_as"], str) or len(outputs["read_as"]) > 4000:
            raise _fail("read_as is not a short string")
    elif job.protocol == "call":
        results = outputs["results"]
        ids = {call["id"] for call in job.inputs["calls"]}
        if not isinstance(results, dict) or set(results) != ids:
            raise _fail("results does not answer exactly the requested calls")
        for call_id, entry in results.items():
            if not isinstance(entry, dict) or len(entry) != 1:
                raise _fail(f"result {call_id!r} must have exactly one of value, error")
            if "value" in entry:
                entry["value"] = _checked(
                    entry["value"], budget, f"result {call_id!r}", "Your function returned"
                )
            elif not isinstance(entry.get("error"), str) or len(entry["error"]) > MAX_ERROR_CHARS:
                raise _fail(f"result {call_id!r} has no value and no error message")
    else:
        values = outputs["values"]
        if not isinstance(values, dict) or set(values) != set(job.inputs.get("read", [])):
            raise _fail("values does not answer exactly the requested paths")
        for path, value in values.items():
            values[path] = _checked(value, budget, f"value {path!r}", f"Your code left {path} as")
        error = outputs["error"]
        if error is not None and (not isinstance(error, str) or len(error) > MAX_ERROR_CHARS):
            raise _fail("error must be null or a short string")
        if outputs.get("graph") is not None:
            problem = graph.check_graph(outputs["graph"])
            if problem:
                raise _fail(problem)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1_000_000


def _check_backward_passes(job: Job, passes: Any) -> None:
    """A count per call (call protocol) or one count (script)."""
    if job.protocol == "call":
        ids = {call["id"] for call in job.inputs["calls"]}
        if not isinstance(passes, dict) or set(passes) != ids:
            raise _fail("backward_passes does not count exactly the requested calls")
        if not all(_is_count(n) for n in passes.values()):
            raise _fail("backward_passes must be counts")
    elif not _is_count(passes):
        raise _fail("backward_passes must be a count")


def check_result(job: Job, raw: bytes) -> tuple[str, dict[str, Any], str]:
    """Parse and validate the child's result; return (status, outputs, error)."""
    if len(raw) > job.limits.result_bytes:
        raise _fail("the result is larger than the limit")
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _fail(f"the result is not one JSON document ({type(exc).__name__})") from None
    if not isinstance(document, dict) or set(document) != {"status", "outputs", "error"}:
        raise _fail("the result must have exactly the keys status, outputs, error")
    status, outputs, error = document["status"], document["outputs"], document["error"]
    if status not in ("ok", "error", "limit"):
        raise _fail(f"the child cannot report status {str(status)[:20]!r}")
    if not isinstance(error, str) or len(error) > MAX_ERROR_CHARS:
        raise _fail("error must be a short string")
    if status == "ok":
        if error:
            raise _fail("an ok result carries no error")
        _check_outputs(job, outputs)
    elif outputs != {} or not error:
        raise _fail("a failed result has empty outputs and an error message")
    return status, _clean(outputs), clean_text(error)
