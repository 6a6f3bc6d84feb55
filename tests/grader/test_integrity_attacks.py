"""Attacks on grading itself, through ``grade_answer`` on the real content (no database).

Two kinds: values built to crash the comparison (or forged result frames carrying
them), which must be graded 0 with feedback about what the function returned, never
raise; and ways around "by hand" on bce-manual-gradients, which compute the right
gradients with autograd and must score 0 with feedback that names autograd, while
answers that only look like autograd (or differentiate numerically) keep full marks.
"""

from __future__ import annotations

import ast
import base64
import json
import re
import sys
import textwrap
from typing import Any

import pytest

from exercises.course import load_spec
from grader.grading import grade_answer
from grader.results import Outcome

SLUG = "bce-manual-gradients"
SEED = 7


def _grade(answer: str, slug: str = SLUG) -> Outcome:
    return grade_answer(load_spec(slug), answer=answer, seed=SEED, attempt=1)


def _feedback(outcome: Outcome) -> str:
    """Everything the student reads: the summary and every check's output."""
    return " | ".join(
        [outcome.results["output"], *(str(t["output"]) for t in outcome.results["tests"])]
    )


# --- 5. values built to crash the comparison, and forged result frames ------------------

RETURNS = {
    "int-10**400": "10**400",
    "pair-with-10**400": "(10**400, 1)",
    "nested-40-deep": "__import__('functools').reduce(lambda v, _: [v], range(40), 1.0)",
    "dict": "{'dw': 0.1, 'db': 0.2}",
    "string": "'0.1, 0.2'",
}

# A whole result document written to fd 3 by the answer itself, then os._exit(0): the
# values in it were never produced by the runner's encoder.
FORGED_TENSORS = {
    "shape-0-by-1e30": {"dtype": "float64", "shape": [0, 10**30], "data": []},
    "int64-2**70": {"dtype": "int64", "shape": [1], "data": [2**70]},
    "rank-100": {"dtype": "float64", "shape": [0] + [1] * 99, "data": []},
}


def _forging_answer(value: Any) -> str:
    """An answer whose grads() writes a complete result (every call answered with
    ``value``) to the result fd and ends the process before the runner writes its own."""
    calls = ["batch-1", "batch-2", "batch-3"]
    document = {
        "status": "ok",
        "outputs": {"results": {c: {"value": value} for c in calls}},
        "error": "",
    }
    return (
        "import os\n"
        "def grads(x, y, w, b):\n"
        f"    os.write(3, {json.dumps(document).encode()!r})\n"
        "    os._exit(0)\n"
    )


CRASHERS = {
    **{name: f"def grads(x, y, w, b):\n    return {expr}\n" for name, expr in RETURNS.items()},
    **{
        f"forged-{name}": _forging_answer({"__tensor__": True, "requires_grad": False, **t})
        for name, t in FORGED_TENSORS.items()
    },
}


@pytest.mark.parametrize("answer", list(CRASHERS.values()), ids=list(CRASHERS))
def test_values_built_to_crash_the_comparison_are_graded_zero_with_feedback(
    answer: str,
) -> None:
    """grade_answer does not raise, the score is 0, and the feedback says what the
    function returned ("your function returned ..."), not that the sandbox failed or
    that staff were notified."""
    outcome = _grade(answer)
    assert outcome.score == 0
    text = _feedback(outcome)
    assert re.search(r"your function returned", text, re.IGNORECASE), text
    assert not re.search(r"staff have been notified|sandbox failed", text, re.IGNORECASE), text


def test_infinities_are_compared_and_named_not_crashed_on() -> None:
    """inf is a value JSON can carry (as "inf"): compared like any other, it fails with
    feedback that names it, and nothing in the worker raises."""
    outcome = _grade("def grads(x, y, w, b):\n    return float('inf'), float('-inf')\n")
    assert outcome.score == 0
    text = _feedback(outcome)
    assert "got inf" in text and "got -inf" in text, text
    assert not re.search(r"staff have been notified|sandbox failed", text, re.IGNORECASE), text


# --- 6. "by hand" bypasses ---------------------------------------------------------------

# Shared by the bypasses: the mean BCE loss written out (so forward-mode AD needs no
# special support), and leaves that require grad without requires_grad / requires_grad_.
PRELUDE = """
import torch

def bce(x, y, w, b):
    p = torch.sigmoid(w * x + b)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()

def leaves(w, b):
    return (torch.nn.Parameter(torch.tensor(float(w), dtype=torch.float64)),
            torch.nn.Parameter(torch.tensor(float(b), dtype=torch.float64)))
"""

AG = 'getattr(torch, "auto" + "grad")'

ENGINE = f"""
def grads(x, y, w, b):
    w, b = leaves(w, b)
    loss = bce(x, y, w, b)
    engine = {AG}.Variable._execution_engine
    dw, db = engine.run_backward((loss,), (torch.ones((), dtype=torch.float64),),
                                 False, False, (w, b), False, False)
    return float(dw), float(db)
"""

BYPASSES = {
    "execution-engine": ENGINE,
    "forward-ad": """
import importlib

# The run-time check replaced torch.enable_grad, which these transforms use inside;
# put back the class it replaced, still in its own module.
_name = "enable_" + "grad"
setattr(torch, _name, getattr(importlib.import_module("torch.auto" + "grad.grad_mode"), _name))

def grads(x, y, w, b):
    C = torch._C
    out = []
    for i in range(2):
        level = getattr(C, "_enter_" + "dual_level")()
        try:
            params = [torch.tensor(float(v), dtype=torch.float64) for v in (w, b)]
            one = torch.ones((), dtype=torch.float64)
            params[i] = getattr(torch, "_make_" + "dual")(params[i], one, level=level)
            loss = bce(x, y, *params)
            out.append(float(getattr(torch, "_unpack_" + "dual")(loss, level=level)[1]))
        finally:
            getattr(C, "_exit_" + "dual_level")(level=level)
    return tuple(out)
""",
    "functorch-transform": """
import importlib

# The run-time check replaced torch.enable_grad, which these transforms use inside;
# put back the class it replaced, still in its own module.
_name = "enable_" + "grad"
setattr(torch, _name, getattr(importlib.import_module("torch.auto" + "grad.grad_mode"), _name))

def grads(x, y, w, b):
    # ... and Tensor.requires_grad_, which hides the C method of its base class.
    if "refuse" in getattr(torch.Tensor, "requires" + "_grad_").__qualname__:
        delattr(torch.Tensor, "requires" + "_grad_")
    # ... and torch.autograd.grad, whose original functorch calls (found through gc).
    import gc
    gc.unfreeze()
    ag, name = getattr(torch, "auto" + "grad"), "gr" + "ad"
    real = [o for o in gc.get_objects() if callable(o) and hasattr(o, "__code__")
            and getattr(o, "__qualname__", "") == name
            and getattr(o, "__module__", "") == "torch.auto" + name]
    setattr(ag, name, max(real, key=lambda o: len(o.__code__.co_code)))
    transforms = importlib.import_module("torch._functorch.apis")
    g = getattr(transforms, "gr" + "ad")(lambda w, b: bce(x, y, w, b), argnums=(0, 1))
    dw, db = g(*(torch.tensor(float(v), dtype=torch.float64) for v in (w, b)))
    return float(dw), float(db)
""",
    "grad-fn-nodes-by-hand": """
def grads(x, y, w, b):
    w, b = leaves(w, b)
    got = {}
    def walk(node, g):
        if node is None or g is None:
            return
        if hasattr(node, "variable"):
            key = id(node.variable)
            got[key] = got.get(key, 0) + g.sum_to_size(node.variable.shape)
            return
        outs = node(g)
        outs = outs if isinstance(outs, tuple) else (outs,)
        for (nxt, _), go in zip(node.next_functions, outs):
            walk(nxt, go)
    loss = bce(x, y, w, b)
    walk(getattr(loss, "grad_" + "fn"), torch.ones((), dtype=torch.float64))
    return float(got[id(w)]), float(got[id(b)])
""",
    "originals-found-through-gc": """
import gc

def grads(x, y, w, b):
    gc.unfreeze()
    name = "gr" + "ad"
    real = [o for o in gc.get_objects() if callable(o)
            and getattr(o, "__qualname__", "") == name
            and getattr(o, "__module__", "") == "torch." + "auto" + name
            and hasattr(o, "__code__")]
    original = max(real, key=lambda o: len(o.__code__.co_code))  # not a typing stub
    w, b = leaves(w, b)
    dw, db = original(bce(x, y, w, b), (w, b))
    return float(dw), float(db)
""",
    "exec-of-base64": "exec(__import__('base64').b64decode({code!r}).decode())\n".format(
        code=base64.b64encode(
            textwrap.dedent(
                """
                def grads(x, y, w, b):
                    w = torch.nn.Parameter(torch.tensor(float(w), dtype=torch.float64))
                    b = torch.nn.Parameter(torch.tensor(float(b), dtype=torch.float64))
                    loss = bce(x, y, w, b)
                    engine = torch.autograd.Variable._execution_engine
                    one = torch.ones((), dtype=torch.float64)
                    dw, db = engine.run_backward((loss,), (one,), False, False, (w, b),
                                                 False, False)
                    return float(dw), float(db)
                """
            ).encode()
        ).decode()
    ),
    "getattr-backward": """
def grads(x, y, w, b):
    w, b = leaves(w, b)
    getattr(bce(x, y, w, b), "back" + "ward")()
    return float(getattr(w, "gr" + "ad")), float(getattr(b, "gr" + "ad"))
""",
    "forged-clean-result-after-autograd": ENGINE.replace("def grads", "def _grads")
    + """
import json, os, sys

def grads(x, y, w, b):
    calls = sys._getframe(1).f_locals["inputs"]["calls"]
    results = {}
    for call in calls:
        args = [a["data"] if isinstance(a, dict) else a for a in call["args"]]
        xs, ys = (torch.tensor(v, dtype=torch.float64) for v in args[:2])
        results[call["id"]] = {"value": list(_grads(xs, ys, args[2], args[3]))}
    document = {"status": "ok", "error": "",
                "outputs": {"results": results}}
    os.write(3, json.dumps(document).encode())
    os._exit(0)
""",
}


@pytest.mark.parametrize("body", list(BYPASSES.values()), ids=list(BYPASSES))
def test_autograd_reached_around_the_checks_scores_zero(body: str) -> None:
    """Each answer computes the exact gradients with autograd (the engine, forward-mode
    AD, functorch, grad_fn nodes, originals recovered through gc, code decoded at run
    time, a getattr-built name, or a forged clean result after using autograd), named
    so that a scan of its source finds nothing; where the sandbox's run-time check
    replaced a function the technique needs, the answer puts the original back.  Asserted: score 0 and feedback that
    names autograd."""
    outcome = _grade(PRELUDE + body)
    assert outcome.score == 0, _feedback(outcome)
    assert "autograd" in _feedback(outcome).lower(), _feedback(outcome)


def test_autograd_hidden_behind_a_line_ast_parse_cannot_build_scores_zero() -> None:
    """The execution-engine answer plus a line 3000 unary minuses deep: at the default
    recursion limit ``ast.parse`` raises RecursionError on it ("during ast
    construction", checked here first), while ``compile`` at a limit of 2000 (what
    the sandbox sets) builds and runs it.  Asserted: score 0 and feedback that names
    autograd, whatever a source scan could or could not read."""
    deep = "_ = " + "-" * 3000 + "1\n"
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(1000)
        with pytest.raises(RecursionError):
            ast.parse(deep)
        sys.setrecursionlimit(2000)
        compile(deep, "<answer>", "exec")
    finally:
        sys.setrecursionlimit(limit)
    outcome = _grade(PRELUDE + ENGINE + deep)
    assert outcome.score == 0, _feedback(outcome)
    assert "autograd" in _feedback(outcome).lower(), _feedback(outcome)


# The reference solution, and two more by-hand answers that merely look like autograd.
REFERENCE_BODY = """
    y_pred = torch.sigmoid(w * x + b)
    dL_dz = (y_pred - y) / x.numel()
    return (dL_dz * x).sum(), dL_dz.sum()
"""

NOT_AUTOGRAD = {
    "set-grad-enabled-call": "import torch\n\ndef grads(x, y, w, b):\n"
    "    torch.set_grad_enabled(False)\n" + REFERENCE_BODY,
    "set-grad-enabled-block": "import torch\n\ndef grads(x, y, w, b):\n"
    "    with torch.set_grad_enabled(False):\n"
    + textwrap.indent(textwrap.dedent(REFERENCE_BODY), "        "),
    "attribute-named-func": """
import torch

class Model:
    def __init__(self, w, b):
        self.w, self.b = w, b
        self.func = torch.sigmoid

    def __call__(self, x):
        return self.func(self.w * x + self.b)

def grads(x, y, w, b):
    dL_dz = (Model(w, b)(x) - y) / x.numel()
    return (dL_dz * x).sum(), dL_dz.sum()
""",
    "central-differences": """
import torch

def grads(x, y, w, b):
    x, y = x.to(torch.float64), y.to(torch.float64)
    def loss(w, b):
        p = torch.sigmoid(w * x + b)
        return float(-(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean())
    h = 1e-6
    dw = (loss(w + h, b) - loss(w - h, b)) / (2 * h)
    db = (loss(w, b + h) - loss(w, b - h)) / (2 * h)
    return dw, db
""",
}


@pytest.mark.parametrize("answer", list(NOT_AUTOGRAD.values()), ids=list(NOT_AUTOGRAD))
def test_by_hand_answers_that_only_look_like_autograd_keep_full_marks(answer: str) -> None:
    """Turning gradients off (set_grad_enabled(False)), an attribute that happens to be
    called ``func``, and numerical differentiation (float64 central differences, within
    the exercise's rtol 1e-6 / atol 1e-9) are all by hand: full marks (10)."""
    outcome = _grade(answer)
    assert outcome.score == pytest.approx(10), _feedback(outcome)
