"""bce-derivation (notes §4): the four pieces of the chain rule for the logistic model
with binary cross-entropy, each on its own, then their products dL/dw and dL/db.

Every piece is a function of tensors (one value per example) that the sandbox calls on
seeded examples, by hand (autograd is switched off there). Each piece is its own check,
so the feedback says which factor is wrong; the expected values come from torch
autograd, here. Why functions and not formulas: the pieces depend on two variables
(ŷ and y, or x, y, w, b), and the formula reader knows only x."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from exercises.spec import Check, Misconception, call_value, tensor_arg

N = 6
T = torch.Tensor


def inputs(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    def floats(low: float, high: float) -> list[float]:
        return [round(rng.uniform(low, high), 4) for _ in range(N)]

    y = [float(i % 2) for i in range(N)]
    rng.shuffle(y)
    x, z, y_hat = floats(-3.0, 3.0), floats(-2.5, 2.5), floats(0.1, 0.9)
    w, b = round(rng.uniform(-1.5, 1.5), 4), round(rng.uniform(-1.0, 1.0), 4)
    model = [tensor_arg(x), tensor_arg(y), w, b]
    calls = [
        ("dL_dyhat", [tensor_arg(y_hat), tensor_arg(y)]),
        ("dyhat_dz", [tensor_arg(z)]),
        ("dz_dw", [tensor_arg(x)]),
        ("dz_db", [tensor_arg(x)]),
        ("dL_dw", model),
        ("dL_db", model),
    ]
    return {"calls": [{"id": f, "function": f, "args": a, "kwargs": {}} for f, a in calls]}


def _t(arg: dict[str, Any]) -> T:
    return torch.tensor(arg["data"], dtype=torch.float64)


def _leaf(values: T) -> T:
    return values.clone().requires_grad_(True)


def _grad(leaf: T, output: T) -> list[float]:
    output.sum().backward()
    assert leaf.grad is not None
    return [float(v) for v in leaf.grad]


def _model_grads(x: T, y: T, w: float, b: float) -> tuple[list[float], list[float]]:
    """Per example: dL_i/dw and dL_i/db, with one copy of w and b per example."""
    ws, bs = _leaf(torch.full_like(x, w)), _leaf(torch.full_like(x, b))
    F.binary_cross_entropy(torch.sigmoid(ws * x + bs), y, reduction="sum").backward()
    assert ws.grad is not None and bs.grad is not None
    return [float(v) for v in ws.grad], [float(v) for v in bs.grad]


def _right(args: dict[str, list[Any]]) -> dict[str, list[float]]:
    y_hat, y = _leaf(_t(args["dL_dyhat"][0])), _t(args["dL_dyhat"][1])
    z = _leaf(_t(args["dyhat_dz"][0]))
    x = _t(args["dz_dw"][0])
    # Fresh leaves for each piece: a second backward() into the same leaf would add up.
    ws, bs = _leaf(torch.ones_like(x)), _leaf(torch.zeros_like(x))
    ws2, bs2 = _leaf(torch.ones_like(x)), _leaf(torch.zeros_like(x))
    mx, my, mw, mb = args["dL_dw"]
    dw, db = _model_grads(_t(mx), _t(my), float(mw), float(mb))
    return {
        "dL_dyhat": _grad(y_hat, F.binary_cross_entropy(y_hat, y, reduction="none")),
        "dyhat_dz": _grad(z, torch.sigmoid(z)),
        "dz_dw": _grad(ws, ws * x + bs),
        "dz_db": _grad(bs2, ws2.detach() * x + bs2),
        "dL_dw": dw,
        "dL_db": db,
    }


def _outputs(values: dict[str, Any]) -> dict[str, Any]:
    return {"results": {f: {"value": v} for f, v in values.items()}}


def _args(inputs: dict[str, Any]) -> dict[str, list[Any]]:
    return {c["id"]: c["args"] for c in inputs["calls"]}


def _model(inputs: dict[str, Any]) -> tuple[T, T, T]:
    """ŷ, y and x of the examples of dL_dw / dL_db."""
    x, y, w, b = _args(inputs)["dL_dw"]
    x_t = _t(x)
    return torch.sigmoid(float(w) * x_t + float(b)), _t(y), x_t


def expected(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    p, y, x = _model(inputs)
    near = {
        "dL/dz = ŷ − y (without the factor dz/dw = x)": [float(v) for v in p - y],
        "dL/dŷ · dz/dw (the factor dŷ/dz left out)": [
            float(v) for v in (p - y) / (p * (1 - p)) * x
        ],
    }
    return {**_outputs(_right(_args(inputs))), "neighbours": near}


def _each(call: str, number: Callable[[], int] = lambda: N) -> Callable[[Any], Any]:
    """The values returned for one piece, one per example; a single number (dz/db = 1
    written as 1) stands for the same value for every example."""
    get = call_value(call)

    def values(outputs: Any) -> Any:
        value = get(outputs)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return [float(value)] * number()
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            return [float(value.reshape(-1)[0])] * number()
        return value

    return values


PIECES = {
    "dL_dyhat": ("dL/dŷ", "dL/dŷ for each example"),
    "dyhat_dz": ("dŷ/dz", "dŷ/dz for each example"),
    "dz_dw": ("dz/dw", "dz/dw for each example"),
    "dz_db": ("dz/db", "dz/db for each example"),
}
CHECKS = [
    *(
        Check(f"{call}: {words}", 1.5, _each(call), rtol=1e-6, atol=1e-9, quantity=quantity)
        for call, (quantity, words) in PIECES.items()
    ),
    Check(
        "dL_dw: the product dL/dŷ · dŷ/dz · dz/dw",
        2,
        _each("dL_dw"),
        rtol=1e-6,
        atol=1e-9,
        quantity="dL/dw for each example",
        neighbours=tuple(
            (words, lambda o, w=words: o["neighbours"][w])
            for words in (
                "dL/dz = ŷ − y (without the factor dz/dw = x)",
                "dL/dŷ · dz/dw (the factor dŷ/dz left out)",
            )
        ),
    ),
    Check(
        "dL_db: the product dL/dŷ · dŷ/dz · dz/db",
        2,
        _each("dL_db"),
        rtol=1e-6,
        atol=1e-9,
        quantity="dL/db for each example",
    ),
]
NAME = {c.name.split(":")[0]: c.name for c in CHECKS}


def _with(**wrong: Callable[[dict[str, Any]], Any]) -> Any:
    """The outputs of an answer with the right pieces except the ones given."""

    def outputs(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = _right(_args(inputs))
        for call, f in wrong.items():
            values[call] = f(inputs)
        return _outputs(values)

    return outputs


def _list(t: T) -> list[float]:
    return [float(v) for v in t]


def _piece_args(inputs: dict[str, Any], call: str) -> list[T]:
    return [_t(a) for a in _args(inputs)[call]]


def _on_model(f: Callable[[T, T, T], T]) -> Callable[[dict[str, Any]], list[float]]:
    return lambda inputs: _list(f(*_model(inputs)))


MISCONCEPTIONS = [
    Misconception(
        "dl-dyhat-is-yhat-minus-y",
        "ŷ − y is dL/dz, the result of the whole chain, not its first piece: dL/dŷ = "
        "−y/ŷ + (1 − y)/(1 − ŷ) = (ŷ − y)/(ŷ(1 − ŷ)). The notes' line “∂L/∂ŷ = (ŷ − y)” "
        "is shorthand for ∂L/∂z (§4).",
        _with(
            dL_dyhat=lambda i: _list(_piece_args(i, "dL_dyhat")[0] - _piece_args(i, "dL_dyhat")[1])
        ),
        on_checks=(NAME["dL_dyhat"],),
    ),
    Misconception(
        "dl-dyhat-sign-flipped",
        "Right size, wrong sign: L = −[y log ŷ + (1 − y) log(1 − ŷ)], so dL/dŷ = "
        "(ŷ − y)/(ŷ(1 − ŷ)), positive when ŷ > y (§4).",
        _with(
            dL_dyhat=lambda i: _list(
                (lambda p, y: (y - p) / (p * (1 - p)))(*_piece_args(i, "dL_dyhat"))
            )
        ),
        on_checks=(NAME["dL_dyhat"],),
    ),
    Misconception(
        "sigmoid-derivative-is-sigmoid",
        "σ is not its own derivative (the exponential is): dŷ/dz = σ(z)(1 − σ(z)) = ŷ(1 − ŷ) (§4).",
        _with(dyhat_dz=lambda i: _list(torch.sigmoid(_piece_args(i, "dyhat_dz")[0]))),
        on_checks=(NAME["dyhat_dz"],),
    ),
    Misconception(
        "sigma-prime-twice",
        "σ′ = ŷ(1 − ŷ) is in your dL/dw twice: (ŷ − y) already is dL/dŷ · dŷ/dz, the σ′ "
        "included (the ŷ(1 − ŷ) of dL/dŷ cancels against it). The notes' line "
        "“(ŷ − y) × ŷ(1 − ŷ)” multiplies it in a second time; dL/dw = (ŷ − y)·x (§4).",
        _with(dL_dw=_on_model(lambda p, y, x: (p - y) * p * (1 - p) * x)),
        on_checks=(NAME["dL_dw"],),
    ),
    Misconception(
        "dl-dyhat-for-dl-dz",
        "Your dL/dw is dL/dŷ · dz/dw: the middle factor dŷ/dz = ŷ(1 − ŷ) is missing, so "
        "dL/dŷ stands where dL/dz belongs (§4).",
        _with(dL_dw=_on_model(lambda p, y, x: (p - y) / (p * (1 - p)) * x)),
        on_checks=(NAME["dL_dw"],),
    ),
    Misconception(
        "missing-dz-dw",
        "Your dL/dw stops at dL/dz = ŷ − y: the last factor dz/dw = x is missing (§4).",
        _with(dL_dw=_on_model(lambda p, y, x: p - y)),
        on_checks=(NAME["dL_dw"],),
    ),
    Misconception(
        "dz-db-zero",
        "z = w·x + b changes by exactly 1 when b does: dz/db = 1 for every example, "
        "whatever b is (§4).",
        _with(dz_db=lambda i: [0.0] * N),
        on_checks=(NAME["dz_db"],),
    ),
    Misconception(
        "dz-db-is-x",
        "dz/db = x is the derivative for w: in z = w·x + b, x multiplies w, while b is added "
        "on its own, so z changes exactly as much as b does (§4).",
        _with(dz_db=lambda i: _list(_piece_args(i, "dz_db")[0])),
        on_checks=(NAME["dz_db"],),
    ),
    Misconception(
        "db-times-x",
        "Your dL/db carries the factor x, which is dz/dw: the last factor of dL/db is dz/db, "
        "and b enters z = w·x + b with no x attached (§4).",
        _with(dL_db=_on_model(lambda p, y, x: (p - y) * x)),
        on_checks=(NAME["dL_db"],),
    ),
    Misconception(
        "sigmoid-denominator-not-squared",
        "Your dŷ/dz is 1 − σ(z), which is what e^(−z)/(1 + e^(−z)) equals: the denominator "
        "must be squared, since σ(z) = (1 + e^(−z))^(−1) and differentiating lowers that "
        "power to −2. §4 writes the result with σ itself (§4).",
        _with(dyhat_dz=lambda i: _list(1 - torch.sigmoid(_piece_args(i, "dyhat_dz")[0]))),
        on_checks=(NAME["dyhat_dz"],),
    ),
    Misconception(
        "sigmoid-derivative-plus",
        "σ(z)(1 + σ(z)) has a plus where the sigmoid's derivative has a minus: its second "
        "factor is 1 − σ(z), the probability of the other class (§4).",
        _with(
            dyhat_dz=lambda i: _list(
                (lambda s: s * (1 + s))(torch.sigmoid(_piece_args(i, "dyhat_dz")[0]))
            )
        ),
        on_checks=(NAME["dyhat_dz"],),
    ),
]
