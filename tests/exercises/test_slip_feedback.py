"""Slips students of the lecture make, each graded through the real pipeline (sandbox
included): the feedback the student reads names the mistake and the rule, with its §,
instead of only the numbers."""

from __future__ import annotations

import pytest

from exercises.course import load_spec
from grader.grading import grade_answer

SEED = 7


def _feedback(slug: str, answer: str) -> tuple[str, str, float]:
    outcome = grade_answer(load_spec(slug), answer=answer, seed=SEED, attempt=1)
    return outcome.misconception, outcome.results["output"], outcome.score


FORMULAS = [
    # (slug, what the student wrote, the misconception, words the feedback must hold)
    (
        "chain-rule",
        "-2x sin(x^2)",
        "derivative-of-sin-as-minus-sin",
        "−sin(y) is the derivative of cos(y)",
    ),
    (
        "chain-rule",
        "cos(2x)",
        "inner-derivative-inside-the-outer",
        "cos(2x) puts the inner derivative inside",
    ),
    ("chain-rule", "sin(2x)", "derivative-of-sin-squared", "the derivative of (sin x)²"),
    ("chain-rule", "2sin(x)cos(x)", "derivative-of-sin-squared", "the square is inside"),
    ("chain-rule", "cos(x²) + 2x", "chain-factors-added", "the chain rule multiplies them"),
    (
        "nested-chain-rule",
        "sin(x^2)*exp(sin(x^2))*2x",
        "sin-as-its-own-derivative",
        "that is cos, not sin again",
    ),
    (
        "nested-chain-rule",
        "e^(sin(x^2)) cos(2x)",
        "inner-derivative-inside-the-cos",
        "dy/dx = 2x is a factor of its own",
    ),
    (
        "nested-chain-rule",
        "exp(2x cos(x^2))",
        "derivative-inside-the-exponential",
        "went into the exponent",
    ),
    (
        "nested-chain-rule",
        "cos(x^2)*2x*exp(cos(x^2))",
        "exponent-differentiated-too",
        "The sin inside the exponential became cos",
    ),
]


@pytest.mark.parametrize(("slug", "answer", "name", "words"), FORMULAS)
def test_a_formula_slip_is_named_with_its_rule(
    slug: str, answer: str, name: str, words: str
) -> None:
    misconception, output, score = _feedback(slug, answer)
    assert score == 0
    assert misconception == name
    assert output.startswith(words) or words in output
    assert "(§2)" in output


def test_a_factor_counted_twice_is_named_without_a_declared_misconception() -> None:
    misconception, output, _ = _feedback("chain-rule", "2x cos(x^2)^2")
    assert misconception == ""
    assert "multiplied once more by dz/dy = cos(x²), the outer factor alone" in output


AUTOGRAD_SCRIPT = "import torch\n\nx = torch.tensor(x0, requires_grad=True)\n{body}\n"
GRAPH_SCRIPT = (
    "import torch\n\nx = torch.tensor(x0, requires_grad=True)\nw = torch.tensor(w0)\n"
    "y = x * w\ny.retain_grad()\nz = torch.sin(y)\n{backward}\npath = []\nnode = z.grad_fn\n"
    "while node is not None:\n    path.append(type(node).__name__)\n"
    "    node = node.next_functions[0][0] if node.next_functions else None\n"
)
FIX_SCRIPT = (
    "import torch\n\nx = torch.tensor(x_values, dtype=torch.float64)\n"
    "w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)\n"
    "b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)\n"
    "y = w * x**2 + b\n{backward}\n"
)
CODE = [
    (
        "power-rule",
        "import torch\n\ndef slope(x0):\n    x = torch.tensor(x0, requires_grad=True)\n"
        "    y = 2 * x\n    y.backward()\n    return x.grad\n",
        "differentiated-the-derivative",
        "Your slope is 2 at every point: your y is 2x",
        "(§1, §5)",
    ),
    (
        "autograd-basics",
        AUTOGRAD_SCRIPT.format(
            body="y = x**2\nz = torch.sin(y)\ny.backward(retain_graph=True)\nz.backward()"
        ),
        "backward-from-y-and-z",
        "x.grad is dy/dx + dz/dx: backward() ran on y and on z",
        "(§6)",
    ),
    (
        "autograd-basics",
        AUTOGRAD_SCRIPT.format(body="z = torch.sin(x) ** 2\nz.backward()"),
        "square-of-the-sine",
        "Your z is sin(x)², the square of the sine.",
        "(§2, §5 step 2)",
    ),
    (
        "autograd-basics",
        AUTOGRAD_SCRIPT.format(body="y = x * 2\nz = torch.sin(y)\nz.backward()"),
        "doubled-not-squared",
        "Your y doubles x",
        "§5 step 2",
    ),
    (
        "graph-and-leaves",
        GRAPH_SCRIPT.format(backward="y.backward()"),
        "backward-from-y",
        "x.grad is w and y.grad is 1: backward() started at y",
        "(§3, §5 step 3)",
    ),
    (
        "fix-non-scalar-backward",
        FIX_SCRIPT.format(backward="y.norm().backward()"),
        "backward-from-the-norm",
        "Your gradients are those of ‖y‖",
        "(§3, §5)",
    ),
]


@pytest.mark.parametrize(("slug", "answer", "name", "words", "section"), CODE)
def test_a_code_slip_is_named_with_its_rule(
    slug: str, answer: str, name: str, words: str, section: str
) -> None:
    misconception, output, score = _feedback(slug, answer)
    assert misconception == name
    assert output.startswith(words)
    assert section in output
    assert score < load_spec(slug).max_score


def _pieces(**changed: str) -> str:
    """bce-derivation's right answer with some functions' bodies replaced."""
    body = {
        "dL_dyhat(y_hat, y)": "return -y / y_hat + (1 - y) / (1 - y_hat)",
        "dyhat_dz(z)": "s = torch.sigmoid(z)\n    return s * (1 - s)",
        "dz_dw(x)": "return x",
        "dz_db(x)": "return torch.ones_like(x)",
        "dL_dw(x, y, w, b)": "y_hat = torch.sigmoid(w * x + b)\n    return (y_hat - y) * x",
        "dL_db(x, y, w, b)": "y_hat = torch.sigmoid(w * x + b)\n    return y_hat - y",
    }
    for name, text in changed.items():
        key = next(k for k in body if k.startswith(name + "("))
        body[key] = text
    return "import torch\n\n" + "\n".join(f"def {k}:\n    {v}\n" for k, v in body.items())


BCE = [
    (
        "bce-derivation",
        _pieces(dz_db="return x"),
        "dz-db-is-x",
        "dz/db = x is the derivative for w",
    ),
    (
        "bce-derivation",
        _pieces(dL_db="y_hat = torch.sigmoid(w * x + b)\n    return (y_hat - y) * x"),
        "db-times-x",
        "Your dL/db carries the factor x",
    ),
    (
        "bce-derivation",
        _pieces(dyhat_dz="return torch.exp(-z) / (1 + torch.exp(-z))"),
        "sigmoid-denominator-not-squared",
        "Your dŷ/dz is 1 − σ(z)",
    ),
    (
        "bce-derivation",
        _pieces(dyhat_dz="s = torch.sigmoid(z)\n    return s * (1 + s)"),
        "sigmoid-derivative-plus",
        "σ(z)(1 + σ(z)) has a plus",
    ),
    (
        "bce-manual-gradients",
        "import torch\n\ndef grads(x, y, w, b):\n    g = torch.sigmoid(w * x + b) - y\n"
        "    return (g * w).mean(), g.mean()\n",
        "dz-dw-is-w",
        "You multiplied by w where dz/dw belongs",
    ),
    (
        "bce-manual-gradients",
        "import torch\n\ndef grads(x, y, w, b):\n    g = torch.sigmoid(w * x + b) - y\n"
        "    return g.mean() * x.mean(), g.mean()\n",
        "product-of-means",
        "The mean of a product is not the product of the means",
    ),
    (
        "bce-autograd",
        "import torch\n\ndef grads(x, y, w, b):\n"
        "    w = torch.tensor(w, dtype=torch.float64, requires_grad=True)\n"
        "    b = torch.tensor(b, dtype=torch.float64, requires_grad=True)\n"
        "    loss = ((torch.sigmoid(w * x + b) - y) ** 2).mean()\n"
        "    loss.backward()\n    return w.grad, b.grad\n",
        "squared-error-loss",
        "These are the gradients of the squared error",
    ),
]


@pytest.mark.parametrize(("slug", "answer", "name", "words"), BCE)
def test_a_slip_in_the_bce_chain_is_named_with_its_rule(
    slug: str, answer: str, name: str, words: str
) -> None:
    misconception, output, score = _feedback(slug, answer)
    assert misconception == name
    assert output.startswith(words)
    assert output.endswith("(§4).")
    assert score < load_spec(slug).max_score


def test_bce_derivation_pieces_helper_builds_the_right_answer() -> None:
    # The helper the slips above are built from scores full marks unchanged.
    spec = load_spec("bce-derivation")
    outcome = grade_answer(spec, answer=_pieces(), seed=SEED, attempt=1)
    assert outcome.misconception == ""
    assert [t["status"] for t in outcome.results["tests"] if not t.get("part")] == ["passed"] * 6


def test_a_batch_mean_given_for_each_example_is_named() -> None:
    answer = _pieces(dL_dw="y_hat = torch.sigmoid(w * x + b)\n    return ((y_hat - y) * x).mean()")
    misconception, output, _ = _feedback("bce-derivation", answer)
    assert misconception == ""
    assert output.startswith(
        "dL/dw for each example: every value is the same number, the mean of the right ones"
    )


def test_the_card_leads_with_a_check_that_gives_a_reason_over_one_that_shows_numbers() -> None:
    # One update too few, written with a while loop: "w after the last step" can only
    # show two numbers, the losses recorded say what is wrong (one value short).
    answer = (
        "import torch\n"
        "x = torch.tensor(x_values, dtype=torch.float64)\n"
        "y = torch.tensor(y_values, dtype=torch.float64)\n"
        "w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)\n"
        "b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)\n"
        "losses = []\n"
        "done = 1\n"
        "while done < steps:\n"
        "    w.grad = None\n"
        "    b.grad = None\n"
        "    loss = ((w * x + b - y) ** 2).mean()\n"
        "    loss.backward()\n"
        "    with torch.no_grad():\n"
        "        w -= lr * w.grad\n"
        "        b -= lr * b.grad\n"
        "    losses.append(loss.item())\n"
        "    done += 1\n"
    )
    misconception, output, score = _feedback("gradient-accumulation", answer)
    assert misconception == "" and score < 10
    first = output.split(". ")[0]
    assert first.startswith("the loss recorded at each step"), output
    assert "it should be a vector of" in first
