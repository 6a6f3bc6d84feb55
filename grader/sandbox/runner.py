"""The code that runs inside the jailed child: the three protocols.

``execute(request)`` takes the decoded job request and returns the result document
``{"status": ..., "outputs": {...}, "error": "..."}``.  It runs *after* every isolation
layer is in place, in a process that dies right after, so it may freely leave state
behind.  Everything it returns is untrusted by the parent, which validates it again.
"""

from __future__ import annotations

import builtins
import errno
import sys
import traceback
from collections.abc import Callable
from typing import Any

import torch

from . import codec, graph
from .formula import BinOp, Const, Expr, FormulaError, Func, Neg, Num, Var, parse

ANSWER_FILENAME = "<answer>"


class LimitHit(Exception):
    """A resource limit stopped the answer; reported as status "limit"."""


# --- formula ---------------------------------------------------------------------------

_FUNCS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "sin": torch.sin,
    "cos": torch.cos,
    "tan": torch.tan,
    "exp": torch.exp,
    "log": torch.log,
    "ln": torch.log,
    "sqrt": torch.sqrt,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "abs": torch.abs,
}
_CONSTS = {"e": torch.e, "pi": torch.pi}


def evaluate(expr: Expr, x: torch.Tensor) -> torch.Tensor:
    """Evaluate a parsed formula elementwise on a float64 tensor of points."""
    if isinstance(expr, Num):
        return torch.full_like(x, expr.value)
    if isinstance(expr, Var):
        return x
    if isinstance(expr, Const):
        return torch.full_like(x, _CONSTS[expr.name])
    if isinstance(expr, Func):
        return _FUNCS[expr.name](evaluate(expr.arg, x))
    if isinstance(expr, Neg):
        return -evaluate(expr.operand, x)
    if isinstance(expr, BinOp):
        left, right = evaluate(expr.left, x), evaluate(expr.right, x)
        if expr.op == "+":
            return left + right
        if expr.op == "-":
            return left - right
        if expr.op == "*":
            return left * right
        if expr.op == "/":
            return left / right
        return torch.pow(left, right)
    raise TypeError(f"not a formula node: {type(expr).__name__}")


def _formula(answer: str, inputs: dict[str, Any]) -> dict[str, Any]:
    expr = parse(answer)
    points = torch.tensor([float(codec.decode(p)) for p in inputs["points"]], dtype=torch.float64)
    with torch.no_grad():
        values = evaluate(expr, points)
    return {
        "values": [codec.encode_float(v) for v in values.tolist()],
        "read_as": expr.to_text(),
    }


# --- counting backward passes ------------------------------------------------------------


class BackwardCounter:
    """Counts the backward passes the answer runs, for exercises about autograd
    (``count_backward`` jobs): ``backward()``, ``torch.autograd.backward`` and
    ``torch.autograd.grad`` (so ``torch.func.grad`` too) all run the engine through
    ``torch.autograd.graph._engine_run_backward``, which is wrapped here, in the job's
    own process. It tells an answer that let autograd do the work from one that typed
    the derivative in; the answer runs in this process and could reach past it, which
    is why it is a check that the work was done, not a security boundary (the opposite
    rule, autograd forbidden, is enforced from outside the process: layers.py)."""

    def __init__(self) -> None:
        self.count = 0

    def install(self) -> None:
        import torch.autograd
        import torch.autograd.graph

        run = torch.autograd.graph._engine_run_backward

        def counted(*args: Any, **kwargs: Any) -> Any:
            result = run(*args, **kwargs)
            self.count += 1  # only a pass that completed
            return result

        # torch.autograd imported the function by name: both references are replaced.
        torch.autograd.graph._engine_run_backward = counted
        torch.autograd._engine_run_backward = counted


# --- call and script -------------------------------------------------------------------


def describe_exception(exc: BaseException) -> str:
    """``"NameError: name 'w' is not defined (line 3)"``: type, message, answer line."""
    if isinstance(exc, SyntaxError) and exc.filename == ANSWER_FILENAME:
        return f"{type(exc).__name__} on line {exc.lineno}: {exc.msg}"
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == ANSWER_FILENAME:
            line = lineno
    message = str(exc)
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    if len(text) > 2000:
        text = text[:2000] + "..."
    return f"{text} (line {line})" if line is not None else text


def _check_limits(exc: BaseException) -> None:
    """Turn resource exhaustion into LimitHit so the status says "limit", not "error"."""
    if isinstance(exc, MemoryError):
        raise LimitHit("memory limit exceeded") from None
    if isinstance(exc, RuntimeError) and "can't allocate memory" in str(exc):
        raise LimitHit("memory limit exceeded: " + str(exc).split("\n")[0][:200]) from None
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        raise LimitHit("file size limit exceeded") from None
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        raise LimitHit("disk space limit exceeded") from None
    if isinstance(exc, RuntimeError) and "can't start new thread" in str(exc):
        raise LimitHit("thread limit exceeded") from None


def _compile(answer: str) -> Any:
    return compile(answer, ANSWER_FILENAME, "exec", dont_inherit=True)


def _call(
    answer: str, inputs: dict[str, Any], counter: BackwardCounter | None = None
) -> dict[str, Any]:
    code = _compile(answer)
    namespace: dict[str, Any] = {"__name__": "answer", "__builtins__": builtins}
    exec(code, namespace)
    results: dict[str, Any] = {}
    passes: dict[str, int] = {}
    for call in inputs["calls"]:
        if counter is not None:
            # Passes run while the module was executed, or by an earlier call, do not
            # count for this call.
            counter.count = 0
            passes[call["id"]] = 0
        name = call["function"]
        function = namespace.get(name)
        if function is None:
            results[call["id"]] = {"error": f"NameError: function {name!r} is not defined"}
            continue
        if not callable(function):
            results[call["id"]] = {"error": f"TypeError: {name!r} is not a function"}
            continue
        try:
            args = [codec.decode(a) for a in call.get("args", [])]
            kwargs = {k: codec.decode(v) for k, v in call.get("kwargs", {}).items()}
            value = function(*args, **kwargs)
            results[call["id"]] = {"value": codec.encode(value)}
        except codec.CodecError as exc:
            results[call["id"]] = {
                "error": f"TypeError: {name} returned a value that cannot be graded: {exc}"
            }
        except Exception as exc:
            _check_limits(exc)
            results[call["id"]] = {"error": describe_exception(exc)}
        if counter is not None:
            passes[call["id"]] = counter.count
    if counter is not None:
        return {"results": results, "backward_passes": passes}
    return {"results": results}


def read_path(namespace: dict[str, Any], path: str) -> Any:
    """Read ``name`` or ``name.attr.attr`` without evaluating anything."""
    parts = path.split(".")
    value = namespace[parts[0]]
    for part in parts[1:]:
        value = getattr(value, part)
    return value


def _script(
    answer: str, inputs: dict[str, Any], counter: BackwardCounter | None = None
) -> dict[str, Any]:
    code = _compile(answer)
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    for name, value in inputs.get("globals", {}).items():
        namespace[name] = codec.decode(value)
    error = None
    try:
        exec(code, namespace)
    except Exception as exc:
        _check_limits(exc)
        error = describe_exception(exc)
    except SystemExit as exc:
        error = f"SystemExit: the script called exit({exc.code!r})"
    values: dict[str, Any] = {}
    for path in inputs.get("read", []):
        try:
            values[path] = codec.encode(read_path(namespace, path))
        except Exception:
            values[path] = None
    outputs: dict[str, Any] = {"values": values, "error": error}
    if inputs.get("graph"):
        # The graph the script built, from the named roots: plain data, no pictures.
        try:
            roots = {name: namespace.get(name) for name in inputs["graph"]}
            outputs["graph"] = graph.describe(roots, namespace)
        except Exception:
            outputs["graph"] = None
    if counter is not None:
        outputs["backward_passes"] = counter.count
    return outputs


# --- entry point ------------------------------------------------------------------------

PROTOCOLS: dict[str, Callable[..., dict[str, Any]]] = {
    "formula": _formula,
    "call": _call,
    "script": _script,
}


def execute(request: dict[str, Any]) -> dict[str, Any]:
    """Run one job; never raises for anything the answer does."""
    sys.setrecursionlimit(2000)
    try:
        try:
            run = PROTOCOLS[request["protocol"]]
            if request.get("count_backward"):
                counter = BackwardCounter()
                counter.install()
                outputs = run(request["answer"], request["inputs"], counter)
            else:
                outputs = run(request["answer"], request["inputs"])
        except Exception as exc:
            _check_limits(exc)
            raise
    except LimitHit as exc:
        return {"status": "limit", "outputs": {}, "error": str(exc)}
    except FormulaError as exc:
        return {"status": "error", "outputs": {}, "error": f"FormulaError: {exc}"}
    except RecursionError:
        return {
            "status": "error",
            "outputs": {},
            "error": "RecursionError: maximum recursion depth exceeded",
        }
    except Exception as exc:
        return {"status": "error", "outputs": {}, "error": describe_exception(exc)}
    except SystemExit as exc:
        return {
            "status": "error",
            "outputs": {},
            "error": f"SystemExit: the answer called exit({exc.code!r})",
        }
    return {"status": "ok", "outputs": outputs, "error": ""}


def warm_up(optim: bool = True) -> None:
    """Touch everything a job uses, once, before forking or locking down.

    torch initialises some things on first use (cpuinfo reads /proc/cpuinfo, kernels are
    dispatched, autograd's engine starts): done here they are shared copy-on-write by
    every child instead of being redone, or failing, under Landlock.  Call only after
    ``torch.set_num_threads(1)``.
    """
    x = torch.linspace(-1.0, 1.0, 8, dtype=torch.float64, requires_grad=True)
    y = sum(f(x) for f in _FUNCS.values()) + torch.pow(x, 2.0) + x * 2.0 / 3.0 - 1.0
    y.sum().backward()
    torch.ones(4, 4, dtype=torch.float32).matmul(torch.ones(4, 4)).sum()
    _formula("2x cos(x^2)", {"points": [0.5]})
    codec.decode(codec.encode(x.detach()))
    torch.backends.cpu.get_cpu_capability()
    p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    if optim:
        # The first optimizer a process makes imports ~800 modules (torch._dynamo,
        # sympy...): ~1 s of CPU that every job using torch.optim would otherwise pay
        # again in its fresh child, and that alone nearly meets the CPU limit under load.
        # A zygote that has them costs every job 1-3 ms more to fork and run, so only the
        # zygote for answers that mention torch.optim does this (client.needs_optim).
        for make in (torch.optim.SGD, torch.optim.Adam):
            optimizer = make([p], lr=0.1)
            (p * p).sum().backward()
            optimizer.step()
            optimizer.zero_grad()
    functional = torch.nn.functional
    target = torch.ones(2, dtype=torch.float64)
    functional.binary_cross_entropy(torch.sigmoid(p.detach()), target)
    functional.binary_cross_entropy_with_logits(p.detach(), target)
    functional.mse_loss(p.detach(), target)
    torch.nn.Linear(2, 1)(torch.zeros(1, 2)).sum().backward()
