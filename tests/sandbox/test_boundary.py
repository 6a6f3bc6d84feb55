"""The package stays bindable into the jail on its own: stdlib, torch, pyseccomp only."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grader.sandbox

PACKAGE = Path(grader.sandbox.__file__).resolve().parent
ALLOWED_THIRD_PARTY = {"torch", "pyseccomp"}


def test_imports_are_stdlib_torch_pyseccomp_or_relative() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level > 0:
                    continue
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY, (
                    f"{path.name} imports {name}"
                )


def test_web_side_import_is_light() -> None:
    """Parsing formulas in the web process must not load torch, pyseccomp or Django."""
    code = (
        "import sys, grader.sandbox, grader.sandbox.formula, grader.sandbox.codec; "
        "print(sorted(m for m in ('torch', 'pyseccomp', 'django') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=PACKAGE.parents[1],
        check=True,
        env={},
    )
    assert out.stdout.strip() == "[]"
