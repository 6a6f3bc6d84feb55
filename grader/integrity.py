"""Static detection of autograd use in answers to "by hand" exercises.

This is the first of two layers: the sandbox also wraps the autograd entry points at
run time (Job.forbid_autograd), which catches what a static scan cannot (getattr with
a computed name, eval). Framework-free."""

from __future__ import annotations

import ast

AUTOGRAD_ATTRIBUTES = {
    "backward": "backward()",
    "grad": ".grad / torch.autograd.grad",
    "autograd": "torch.autograd",
    "requires_grad": "requires_grad",
    "requires_grad_": "requires_grad_()",
    "enable_grad": "torch.enable_grad",
    "set_grad_enabled": "torch.set_grad_enabled",
    "retain_grad": "retain_grad()",
    "grad_fn": "grad_fn",
    "func": "torch.func",
    "vjp": "vjp",
    "jacobian": "jacobian",
}
AUTOGRAD_NAMES = {"autograd", "enable_grad", "set_grad_enabled", "grad", "vjp", "jacobian"}


def autograd_uses(source: str) -> list[str]:
    """The autograd features `source` uses, in order of first appearance. A source that
    does not parse yields nothing here (the syntax error is reported elsewhere)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return []
    found: list[str] = []

    def add(label: str) -> None:
        if label not in found:
            found.append(label)

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in AUTOGRAD_ATTRIBUTES:
            add(AUTOGRAD_ATTRIBUTES[node.attr])
        elif isinstance(node, ast.keyword) and node.arg == "requires_grad":
            add("requires_grad")
        elif isinstance(node, ast.ImportFrom) and node.module and "autograd" in node.module:
            add("torch.autograd")
        elif isinstance(node, ast.ImportFrom) and node.module == "torch":
            for alias in node.names:
                if alias.name in AUTOGRAD_NAMES:
                    add(f"torch.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if "autograd" in alias.name or alias.name.startswith("torch.func"):
                    add(alias.name)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value in ("backward", "autograd", "requires_grad", "requires_grad_")
        ):
            add(f"the name {node.value!r} in a string")
    return found
