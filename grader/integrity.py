"""The static half of the "by hand" check: what an answer visibly uses of autograd.

The decisive half is at run time: a "by hand" job runs with autograd switched off in its
process (``Job.forbid_autograd``, a tripwire in torch's own code that no Python name
avoids).  This scan only gives an earlier, friendlier refusal for the plain cases
(``loss.backward()``, ``torch.autograd.grad``, ``requires_grad=True``, ``torch.func``),
so it is precise rather than broad: ``torch.set_grad_enabled(False)`` or an attribute of
the student's own that happens to be called ``func`` are not autograd and pass.  An
answer it cannot parse is refused: what cannot be read cannot be checked.

The same function serves the web intake, the worker, regrades and ``manage.py grade``.
Framework-free.
"""

from __future__ import annotations

import ast

# Attributes that only autograd has, whatever they are called on.
AUTOGRAD_ATTRIBUTES = {
    "backward": "backward()",
    "requires_grad_": "requires_grad_()",
    "retain_grad": "retain_grad()",
    "grad_fn": "grad_fn",
    "enable_grad": "torch.enable_grad",
    "forward_ad": "torch.autograd.forward_ad",
}
# Attributes of the torch module (or an alias of it) that are autograd.
TORCH_ATTRIBUTES = {
    "autograd": "torch.autograd",
    "func": "torch.func",
    "_functorch": "torch._functorch",
}
AUTOGRAD_MODULES = ("torch.autograd", "torch.func", "torch._functorch", "functorch")
# Exact strings that only make sense as a way to reach autograd by name.
AUTOGRAD_STRINGS = ("backward", "autograd", "requires_grad_", "grad_fn", "_functorch")


class UnreadableAnswer(ValueError):
    """The answer does not parse, so it cannot be checked."""


def _is_false(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _module_label(name: str) -> str | None:
    for module in AUTOGRAD_MODULES:
        if name == module or name.startswith(module + "."):
            return module
    return None


def autograd_uses(source: str) -> list[str]:
    """The autograd features ``source`` visibly uses, in order of first appearance.

    Raises UnreadableAnswer if it does not parse (a syntax error, or nesting so deep
    that the parser gives up)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise UnreadableAnswer(f"SyntaxError on line {exc.lineno}: {exc.msg}") from None
    except (ValueError, MemoryError, RecursionError):
        raise UnreadableAnswer("the code is nested too deeply to be read") from None
    found: list[str] = []

    def add(label: str) -> None:
        if label not in found:
            found.append(label)

    torch_names = {"torch"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "torch" and alias.asname:
                    torch_names.add(alias.asname)
                label = _module_label(alias.name)
                if label:
                    add(label)
        elif isinstance(node, ast.ImportFrom) and node.module:
            label = _module_label(node.module)
            if label:
                add(label)
            elif node.module == "torch":
                for alias in node.names:
                    if alias.name in TORCH_ATTRIBUTES:
                        add(TORCH_ATTRIBUTES[alias.name])
                    elif alias.name in AUTOGRAD_ATTRIBUTES:
                        add(AUTOGRAD_ATTRIBUTES[alias.name])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if node.attr in AUTOGRAD_ATTRIBUTES:
                add(AUTOGRAD_ATTRIBUTES[node.attr])
            elif (
                node.attr in TORCH_ATTRIBUTES
                and isinstance(node.value, ast.Name)
                and node.value.id in torch_names
            ):
                add(TORCH_ATTRIBUTES[node.attr])
        elif isinstance(node, ast.keyword) and node.arg == "requires_grad":
            if not _is_false(node.value):
                add("requires_grad=True")
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "requires_grad"
                    and not (value is not None and _is_false(value))
                ):
                    add("requires_grad=True")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            # set_grad_enabled(False) is as harmless as no_grad(); anything else turns
            # recording on.
            if name == "set_grad_enabled" and not (node.args and _is_false(node.args[0])):
                add("torch.set_grad_enabled")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value in AUTOGRAD_STRINGS
        ):
            add(f"the name {node.value!r} in a string")
    return found


def refusal(source: str) -> str:
    """Why ``source`` cannot be accepted as a "by hand" answer, or "" if it can."""
    try:
        uses = autograd_uses(source)
    except UnreadableAnswer as exc:
        return f"Your answer could not be read, so it cannot be checked for autograd: {exc}."
    if uses:
        return (
            "This exercise asks for the gradients by hand, without autograd; your answer "
            f"uses {', '.join(uses)}."
        )
    return ""
