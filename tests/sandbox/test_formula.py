"""The formula parser: pure, no eval; what it accepts, how it reads it, what it refuses."""

from __future__ import annotations

import math

import pytest
import torch

from grader.sandbox.formula import MAX_HEIGHT, MAX_LENGTH, FormulaError, height, parse
from grader.sandbox.runner import evaluate


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("2x cos(x^2)", "2*x*cos(x^2)"),
        ("2*x*cos(x**2)", "2*x*cos(x^2)"),
        ("2xcos(x^2)", "2*x*cos(x^2)"),
        ("2 x", "2*x"),
        ("x(x+1)", "x*(x + 1)"),
        ("2sin(x)", "2*sin(x)"),
        ("(x+1)(x-1)", "(x + 1)*(x - 1)"),
        ("-x^2", "-x^2"),
        ("(-x)^2", "(-x)^2"),
        ("x^-2", "x^(-2)"),
        ("2^x^2", "2^x^2"),
        ("(x^2)^3", "(x^2)^3"),
        ("x-(x-1)", "x - (x - 1)"),
        ("x/(2/x)", "x/(2/x)"),
        ("e^x + pi", "e^x + pi"),
        (".5x", "0.5*x"),
        ("007", "7"),
        ("1e-3x", "1e-3*x"),
        ("2e", "2*e"),
        ("sigmoid(x)*tanh(x)", "sigmoid(x)*tanh(x)"),
        (
            "sqrt(abs(x)) - ln(x) + log(x) + exp(x) + tan(x)",
            "sqrt(abs(x)) - ln(x) + log(x) + exp(x) + tan(x)",
        ),
        ("  x\t+\n1 ", "x + 1"),
        # The notation the site prints (and students paste back): middle dot, dot
        # operator, times sign, Unicode minus, superscript digits.
        ("2x·cos(x²)", "2*x*cos(x^2)"),
        ("2x ⋅ cos(x^2)", "2*x*cos(x^2)"),
        ("2 × x", "2*x"),
        ("−2x cos(x²)", "-2*x*cos(x^2)"),
        ("x − 1", "x - 1"),
        ("x⁻¹", "x^(-1)"),
        ("x¹⁰", "x^10"),
        ("e^(sin(x²))·2x·cos(x²)", "e^sin(x^2)*2*x*cos(x^2)"),
    ],
)
def test_canonical_text(text: str, canonical: str) -> None:
    expr = parse(text)
    assert expr.to_text() == canonical
    # The canonical text reads back as the same tree.
    assert parse(canonical) == expr


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("y", "unknown name 'y'"),
        ("x+", "ends too early"),
        ("__import__('os').system('id')", "unexpected character '_'"),
        ("x.real", "number"),  # a lone '.' after x
        ("sin x", "parentheses"),
        ("(x", "missing ')'"),
        ("x)", "unmatched ')'"),
        ("2..3", "two decimal points"),
        ("sinh(x)", "unknown name 'h'"),
        ("1e999", "too large"),
        ("x +* 2", "unexpected operator '*'"),
        ("[x]", "round parentheses"),
        ("2|x|", "write abs(…) for an absolute value, e.g. abs(x), not |x|"),
        ("x; import os", "unexpected character ';'"),
        ("lambda: 1", "unknown name"),
        ("()", "empty parentheses"),
        ("x\x00", "U+0000"),
        ("x⁻", "superscript digits"),
        ("²", "unexpected operator '^'"),
        # Look-alikes pasted or typed on another layout say what they are and what to type.
        ("2х cos(х²)", "'х' (U+0445 CYRILLIC SMALL LETTER HA) only looks like 'x': type 'x'"),
        ("2ｘ", "'ｘ' (U+FF58 FULLWIDTH LATIN SMALL LETTER X) only looks like 'x'"),
        ("𝑥^2", "(U+1D465 MATHEMATICAL ITALIC SMALL X) only looks like 'x'"),
        ("x^２", "only looks like '2': type '2' instead"),
        # Invisible characters are named, so the student can find them.
        ("2x\u200bcos(x)", "U+200B ZERO WIDTH SPACE"),
        ("x\u202e+1", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ],
)
def test_errors_are_readable(text: str, fragment: str) -> None:
    with pytest.raises(FormulaError) as info:
        parse(text)
    assert fragment in str(info.value)


def test_a_no_break_or_thin_space_is_a_space() -> None:
    assert parse("2x\u00a0cos(x\u2009^\u202f2)").to_text() == "2*x*cos(x^2)"


def test_error_has_position() -> None:
    with pytest.raises(FormulaError) as info:
        parse("x + y")
    assert info.value.position == 4
    assert "character 5" in str(info.value)


def test_length_and_depth_limits() -> None:
    with pytest.raises(FormulaError, match="too long"):
        parse("x+" * MAX_LENGTH + "x")
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse("(" * 60 + "x" + ")" * 60)
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse("x" + "^x" * 60)
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse("-" * 60 + "x")
    parse("(" * 20 + "x" + ")" * 20)
    # A long flat formula is fine and renders without recursion trouble.
    assert parse("+".join(["x"] * 240)).to_text().count("x") == 240


def test_a_run_of_operations_is_bounded_so_printing_never_recurses_too_deep() -> None:
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse("x" * MAX_LENGTH)  # implicit products: a 499-deep chain
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse("x" * (MAX_HEIGHT + 1))
    with pytest.raises(FormulaError, match="too long: at most"):
        parse("-" * 2000 + "x")
    at_bound = parse("x" * MAX_HEIGHT)
    assert height(at_bound) == MAX_HEIGHT
    assert at_bound.to_text().count("x") == MAX_HEIGHT and at_bound.to_latex()


def test_latex() -> None:
    assert parse("2x cos(x^2)").to_latex() == "2 x \\cdot \\cos\\left({x}^{2}\\right)"
    assert parse("sqrt(x)/abs(x)").to_latex() == "\\frac{\\sqrt{x}}{\\left|x\\right|}"
    assert parse("pi sigmoid(x)").to_latex() == "\\pi \\cdot \\sigma\\left(x\\right)"


def test_evaluation_matches_torch() -> None:
    x = torch.tensor([0.3, -1.2, 2.0], dtype=torch.float64)
    got = evaluate(parse("2x cos(x^2) + e^x - pi/x + sigmoid(x) - ln(abs(x))"), x)
    want = (
        2 * x * torch.cos(x**2)
        + torch.exp(x)
        - math.pi / x
        + torch.sigmoid(x)
        - torch.log(torch.abs(x))
    )
    assert got.dtype == torch.float64
    assert torch.allclose(got, want, rtol=0, atol=1e-12)
    # Right-associative power and unary minus binding looser than ^.
    assert evaluate(parse("2^x^2"), x).tolist() == (2 ** (x**2)).tolist()
    assert evaluate(parse("-x^2"), x).tolist() == (-(x**2)).tolist()
