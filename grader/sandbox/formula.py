"""Formulas in x: a hand-written tokenizer and recursive-descent parser.

The student's text is never given to eval/compile/ast: it is tokenized character by
character against a tiny alphabet, so nothing but numbers, ``x``, ``e``, ``pi``, the
listed functions, operators and parentheses can get through.  Grammar (lowest first)::

    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary | <implicit> power)*
    unary   := ("+" | "-") unary | power
    power   := atom (("^" | "**") unary)?          # right-associative: x^-2, 2^x^2
    atom    := NUMBER | "x" | "e" | "pi" | FUNC "(" sum ")" | "(" sum ")"

Implicit multiplication: a product continues without an operator when the next token
starts an atom (``2x``, ``2 x``, ``x(x+1)``, ``2sin(x)``, ``(x+1)(x-1)``).  A run of
letters is split into known names, longest first, so ``2xcos(x)`` reads as ``2*x*cos(x)``.
``log`` and ``ln`` are both the natural logarithm.  The notation the site itself prints is
read too: ``·``, ``⋅`` and ``×`` are ``*``, the Unicode minus ``−`` is ``-``, and
superscript digits are a power (``x²`` is ``x^2``, ``x⁻¹`` is ``x^-1``).  Nothing here imports torch: the web
process parses at submit time; evaluation happens only in the sandbox (runner.py).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

MAX_LENGTH = 500
MAX_DEPTH = 40
# Height of the parsed tree. MAX_DEPTH bounds brackets, signs and powers, but a run of
# operations builds a chain (`x+x+...`, or implicit products `xxx...`: 500 characters
# make a 499-deep tree) that the printers and the evaluator walk recursively, two frames
# a level: 250 keeps them far below Python's stack limit inside a web request.
MAX_HEIGHT = 250

FUNCTIONS = ("sigmoid", "sqrt", "tanh", "sin", "cos", "tan", "exp", "log", "abs", "ln")
CONSTANTS = ("pi", "e")
VARIABLE = "x"
# Longest names first so that greedy splitting prefers "tanh" over "tan" + "h".
_NAMES = sorted((*FUNCTIONS, *CONSTANTS, VARIABLE), key=len, reverse=True)
_ALLOWED = "x, e, pi and the functions " + ", ".join(sorted(FUNCTIONS))


class FormulaError(ValueError):
    """The text is not a formula in x; ``str()`` is a message a student can act on."""

    def __init__(self, message: str, position: int | None = None) -> None:
        self.position = position
        if position is not None:
            message = f"{message} (at character {position + 1})"
        super().__init__(message)


# --- the tree ------------------------------------------------------------------------

# Binding strength, used to print the fewest parentheses that keep the meaning.
_PREC_SUM, _PREC_PRODUCT, _PREC_UNARY, _PREC_POWER, _PREC_ATOM = 1, 2, 3, 4, 5


class Expr:
    @property
    def precedence(self) -> int:
        return _PREC_ATOM

    def to_text(self) -> str:
        raise NotImplementedError

    def to_latex(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.to_text()


@dataclass(frozen=True)
class Num(Expr):
    value: float
    text: str

    def to_text(self) -> str:
        return self.text

    def to_latex(self) -> str:
        if "e" in self.text or "E" in self.text:
            mantissa, _, exponent = self.text.lower().partition("e")
            return f"{mantissa} \\cdot 10^{{{int(exponent)}}}"
        return self.text


@dataclass(frozen=True)
class Var(Expr):
    def to_text(self) -> str:
        return VARIABLE

    def to_latex(self) -> str:
        return VARIABLE


@dataclass(frozen=True)
class Const(Expr):
    name: str

    def to_text(self) -> str:
        return self.name

    def to_latex(self) -> str:
        return "\\pi" if self.name == "pi" else "e"


_LATEX_FUNCS = {
    "sin": "\\sin",
    "cos": "\\cos",
    "tan": "\\tan",
    "tanh": "\\tanh",
    "exp": "\\exp",
    "log": "\\log",
    "ln": "\\ln",
    "sigmoid": "\\sigma",
}


@dataclass(frozen=True)
class Func(Expr):
    name: str
    arg: Expr

    def to_text(self) -> str:
        return f"{self.name}({self.arg.to_text()})"

    def to_latex(self) -> str:
        inner = self.arg.to_latex()
        if self.name == "sqrt":
            return f"\\sqrt{{{inner}}}"
        if self.name == "abs":
            return f"\\left|{inner}\\right|"
        return f"{_LATEX_FUNCS[self.name]}\\left({inner}\\right)"


@dataclass(frozen=True)
class Neg(Expr):
    operand: Expr

    @property
    def precedence(self) -> int:
        return _PREC_UNARY

    def to_text(self) -> str:
        return "-" + _wrap_text(self.operand, self.operand.precedence < _PREC_UNARY)

    def to_latex(self) -> str:
        return "-" + _wrap_latex(self.operand, self.operand.precedence < _PREC_UNARY)


@dataclass(frozen=True)
class BinOp(Expr):
    op: str  # one of + - * / ^
    left: Expr
    right: Expr

    @property
    def precedence(self) -> int:
        return {"+": _PREC_SUM, "-": _PREC_SUM, "*": _PREC_PRODUCT, "/": _PREC_PRODUCT}.get(
            self.op, _PREC_POWER
        )

    def _parens(self) -> tuple[bool, bool]:
        mine = self.precedence
        left, right = self.left.precedence, self.right.precedence
        if self.op == "^":
            # Right-associative: (a^b)^c needs parentheses, a^(b^c) does not; a negative
            # base or exponent is always bracketed so it cannot be misread.
            return left <= _PREC_POWER, right < _PREC_POWER
        # Left-associative; a unary minus on the right of a binary operator is bracketed
        # ("x - (-1)", "2*(-x)") because "x - -1" reads badly.
        left_paren = left < mine
        right_paren = right < mine or (right == mine and self.op in "-/") or right == _PREC_UNARY
        return left_paren, right_paren

    def to_text(self) -> str:
        left_paren, right_paren = self._parens()
        left = _wrap_text(self.left, left_paren)
        right = _wrap_text(self.right, right_paren)
        if self.op in "+-":
            return f"{left} {self.op} {right}"
        return f"{left}{self.op}{right}"

    def to_latex(self) -> str:
        if self.op == "/":
            return f"\\frac{{{self.left.to_latex()}}}{{{self.right.to_latex()}}}"
        left_paren, right_paren = self._parens()
        left = _wrap_latex(self.left, left_paren)
        if self.op == "^":
            return f"{{{left}}}^{{{self.right.to_latex()}}}"
        right = _wrap_latex(self.right, right_paren)
        if self.op == "*":
            # "2x", "2\sin(x)" read naturally; everything else gets an explicit dot.
            if isinstance(self.left, Num) and isinstance(self.right, (Var, Const, Func)):
                return f"{left} {right}"
            return f"{left} \\cdot {right}"
        return f"{left} {self.op} {right}"


def _wrap_text(expr: Expr, parens: bool) -> str:
    return f"({expr.to_text()})" if parens else expr.to_text()


def _wrap_latex(expr: Expr, parens: bool) -> str:
    return f"\\left({expr.to_latex()}\\right)" if parens else expr.to_latex()


# --- the tokenizer --------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "name", "op", "(", ")", "end"
    text: str
    pos: int


def _describe(char: str) -> str:
    """The character as a student can find it: itself, and for anything not ASCII its
    code point and name too (a zero-width space is otherwise invisible)."""
    if char.isascii() and char.isprintable():
        return repr(char)
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}" + (f" {name}" if name else "")
    return f"{char!r} ({code})" if char.isprintable() else code


# Letters that look like x but are not (pasted from a document, typed on another
# keyboard layout): Cyrillic ha and Greek chi. Fullwidth and mathematical x's are
# found by NFKC normalisation.
_LOOKS_LIKE = {"х": "x", "Х": "x", "χ": "x"}


def _lookalike(char: str) -> str:
    """The ASCII character `char` looks like (``ｘ``, ``𝑥``, ``х`` → x), or ""."""
    plain = unicodedata.normalize("NFKC", char)
    if len(plain) == 1 and plain.isascii() and plain.isprintable() and not plain.isspace():
        return plain
    return _LOOKS_LIKE.get(char, "")


def _read_number(text: str, start: int) -> tuple[Token, int]:
    i = start
    while i < len(text) and text[i].isascii() and text[i].isdigit():
        i += 1
    if i < len(text) and text[i] == ".":
        i += 1
        while i < len(text) and text[i].isascii() and text[i].isdigit():
            i += 1
    if text[start:i] == ".":
        raise FormulaError("a lone '.' is not a number", start)
    # An exponent only if digits follow, so "2e" stays "2 * e" and "2e-x" is "2*e - x".
    if i < len(text) and text[i] in "eE":
        j = i + 1
        if j < len(text) and text[j] in "+-":
            j += 1
        if j < len(text) and text[j].isascii() and text[j].isdigit():
            while j < len(text) and text[j].isascii() and text[j].isdigit():
                j += 1
            i = j
    if i < len(text) and text[i] == ".":
        raise FormulaError("a number has two decimal points", i)
    return Token("num", text[start:i], start), i


def _split_name(word: str, start: int) -> list[Token]:
    tokens = []
    i = 0
    while i < len(word):
        for name in _NAMES:
            if word.startswith(name, i):
                tokens.append(Token("name", name, start + i))
                i += len(name)
                break
        else:
            rest = word[i:]
            hint = "the only variable is x" if len(rest) == 1 else f"allowed: {_ALLOWED}"
            raise FormulaError(f"unknown name {rest!r} ({hint})", start + i)
    return tokens


# Typeset notation, as the site prints it and as students paste it back.
_TIMES = "·⋅×"  # U+00B7 middle dot, U+22C5 dot operator, U+00D7 multiplication sign
_MINUS = "−"  # U+2212
_SUPERSCRIPT_DIGITS = {c: str(d) for d, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}
_SUPERSCRIPT_MINUS = "⁻"  # U+207B


def _read_superscript(text: str, start: int) -> tuple[list[Token], int]:
    """``²`` or ``⁻¹²``: a power, read as ``^2`` or ``^-12``."""
    tokens = [Token("op", "^", start)]
    i = start
    if text[i] == _SUPERSCRIPT_MINUS:
        tokens.append(Token("op", "-", i))
        i += 1
    j = i
    while j < len(text) and text[j] in _SUPERSCRIPT_DIGITS:
        j += 1
    if j == i:
        raise FormulaError("a superscript minus needs superscript digits after it", start)
    tokens.append(Token("num", "".join(_SUPERSCRIPT_DIGITS[c] for c in text[i:j]), i))
    return tokens, j


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():  # a no-break or thin space pasted from a page is a space
            i += 1
        elif char in _TIMES:
            tokens.append(Token("op", "*", i))
            i += 1
        elif char == _MINUS:
            tokens.append(Token("op", "-", i))
            i += 1
        elif char in _SUPERSCRIPT_DIGITS or char == _SUPERSCRIPT_MINUS:
            read, i = _read_superscript(text, i)
            tokens.extend(read)
        elif char.isascii() and (char.isdigit() or char == "."):
            token, i = _read_number(text, i)
            tokens.append(token)
        elif char.isascii() and char.isalpha():
            j = i
            while j < len(text) and text[j].isascii() and text[j].isalpha():
                j += 1
            tokens.extend(_split_name(text[i:j], i))
            i = j
        elif text.startswith("**", i):
            tokens.append(Token("op", "^", i))
            i += 2
        elif char in "+-*/^":
            tokens.append(Token("op", char, i))
            i += 1
        elif char in "()":
            tokens.append(Token(char, char, i))
            i += 1
        elif char in "[]{}":
            raise FormulaError(f"use round parentheses instead of {char!r}", i)
        elif char == "|":
            raise FormulaError("write abs(…) for an absolute value, e.g. abs(x), not |x|", i)
        elif not char.isascii() and (like := _lookalike(char)):
            raise FormulaError(
                f"{_describe(char)} only looks like {like!r}: type {like!r} instead", i
            )
        else:
            raise FormulaError(f"unexpected character {_describe(char)}", i)
    tokens.append(Token("end", "", len(text)))
    return tokens


# --- the parser -----------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def enter(self) -> None:
        # Bounded nesting keeps the parser and the printers far from Python's stack limit.
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError("the formula is nested too deeply", self.current.pos)

    def parse(self) -> Expr:
        if self.current.kind == "end":
            raise FormulaError("the formula is empty")
        expr = self.sum()
        token = self.current
        if token.kind == ")":
            raise FormulaError("unmatched ')'", token.pos)
        if token.kind != "end":
            raise FormulaError(f"unexpected {token.text!r}", token.pos)
        return expr

    def sum(self) -> Expr:
        self.enter()
        expr = self.product()
        while self.current.kind == "op" and self.current.text in "+-":
            op = self.advance().text
            expr = BinOp(op, expr, self.product())
        self.depth -= 1
        return expr

    def product(self) -> Expr:
        expr = self.unary()
        while True:
            token = self.current
            if token.kind == "op" and token.text in "*/":
                self.advance()
                expr = BinOp(token.text, expr, self.unary())
            elif token.kind in ("num", "name", "("):
                expr = BinOp("*", expr, self.power())
            else:
                return expr

    def unary(self) -> Expr:
        token = self.current
        if token.kind == "op" and token.text in "+-":
            self.enter()
            self.advance()
            operand = self.unary()
            self.depth -= 1
            return Neg(operand) if token.text == "-" else operand
        return self.power()

    def power(self) -> Expr:
        base = self.atom()
        if self.current.kind == "op" and self.current.text == "^":
            self.enter()
            self.advance()
            exponent = self.unary()
            self.depth -= 1
            return BinOp("^", base, exponent)
        return base

    def atom(self) -> Expr:
        token = self.current
        if token.kind == "num":
            self.advance()
            value = float(token.text)
            if not math.isfinite(value):
                raise FormulaError(f"the number {token.text} is too large", token.pos)
            return Num(value, _canonical_number(token.text))
        if token.kind == "name":
            self.advance()
            if token.text == VARIABLE:
                return Var()
            if token.text in CONSTANTS:
                return Const(token.text)
            if self.current.kind != "(":
                raise FormulaError(
                    f"{token.text} needs its argument in parentheses, e.g. {token.text}(x)",
                    self.current.pos,
                )
            return Func(token.text, self.parenthesized())
        if token.kind == "(":
            return self.parenthesized()
        if token.kind == "end":
            raise FormulaError("the formula ends too early", token.pos)
        if token.kind == ")":
            raise FormulaError("unexpected ')': something is missing before it", token.pos)
        raise FormulaError(f"unexpected operator {token.text!r}", token.pos)

    def parenthesized(self) -> Expr:
        opening = self.advance()
        if self.current.kind == ")":
            raise FormulaError("empty parentheses", self.current.pos)
        inner = self.sum()
        if self.current.kind != ")":
            raise FormulaError("missing ')' for the '(' here", opening.pos)
        self.advance()
        return inner


def _canonical_number(text: str) -> str:
    """Normalise a literal without changing its value: "02" -> "2", ".5" -> "0.5"."""
    if "e" in text.lower():
        mantissa, _, exponent = text.lower().partition("e")
        return f"{_canonical_number(mantissa)}e{int(exponent)}"
    whole, dot, frac = text.partition(".")
    whole = whole.lstrip("0") or "0"
    frac = frac.rstrip("0")
    return f"{whole}.{frac}" if dot and frac else whole


def height(expr: Expr) -> int:
    """The number of levels of ``expr``'s tree, counted without recursion."""
    tallest = 0
    stack: list[tuple[Expr, int]] = [(expr, 1)]
    while stack:
        node, level = stack.pop()
        tallest = max(tallest, level)
        if isinstance(node, Func):
            stack.append((node.arg, level + 1))
        elif isinstance(node, Neg):
            stack.append((node.operand, level + 1))
        elif isinstance(node, BinOp):
            stack += [(node.left, level + 1), (node.right, level + 1)]
    return tallest


def parse(text: str) -> Expr:
    """Parse ``text`` as a formula in x, or raise FormulaError saying what is wrong.

    A formula that parses can be printed (``to_text``, ``to_latex``) and evaluated
    without running into Python's recursion limit."""
    if not isinstance(text, str):
        raise FormulaError("the formula must be text")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is too long: at most {MAX_LENGTH} characters")
    expr = _Parser(tokenize(text)).parse()
    if height(expr) > MAX_HEIGHT:
        raise FormulaError(
            f"the formula is nested too deeply: at most {MAX_HEIGHT} operations inside one "
            "another (each implicit multiplication, as in 'xx', counts as one)"
        )
    return expr
