"""axe-core in the browser tests: the WCAG 2.1 A and AA rules, run on the page as the
browser shows it. The script comes from the npm package installed by `make node-deps`
(package-lock.json pins it); nothing is downloaded while the tests run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ") + " :: " + (n.failureSummary || "").replace(/\\s+/g, " ")),
  }));
}"""


def axe_source() -> str:
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} is missing: run `make node-deps` (npm ci) first")
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """The page's WCAG 2.1 AA violations, as axe reports them. evaluate() runs in the
    page without a <script> element, so the site's Content-Security-Policy (scripts
    from 'self' only) stays on while the page is checked."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    violations: list[dict[str, Any]] = page.evaluate(_RUN, WCAG_21_AA)
    return violations


def axe_version(page: Page) -> str:
    return str(page.evaluate("window.axe ? axe.version : ''"))
