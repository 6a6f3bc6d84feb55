import json
import shutil
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from exercises.course import CourseError, load_folder
from exercises.models import Exercise
from exercises.services import course_load

CONTENT = Path(__file__).resolve().parents[2] / "exercises" / "content"


def test_loadcourse_creates_then_leaves_unchanged(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("loadcourse")
    first = capsys.readouterr().out
    call_command("loadcourse")
    second = capsys.readouterr().out
    total = len([p for p in CONTENT.iterdir() if (p / "info.json").exists()])
    assert f"{total} created" in first
    assert f"0 created, 0 updated, {total} unchanged" in second
    chain = Exercise.objects.get(slug="chain-rule")
    assert chain.kind == "formula" and chain.max_score == 10


def _copy(tmp_path: Path, slug: str) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT / slug, root / slug)
    return root


def test_a_broken_info_json_names_the_file(tmp_path: Path) -> None:
    root = _copy(tmp_path, "chain-rule")
    (root / "chain-rule" / "info.json").write_text("{ not json")
    with pytest.raises(CourseError, match=r"chain-rule/info.json: invalid JSON"):
        load_folder(root / "chain-rule")


def test_a_grading_module_that_fails_to_import_names_the_file(tmp_path: Path) -> None:
    """grading.py is imported on first use (a web process never needs it): that use, as
    loadcourse's or checkcourse's, names the file."""
    root = _copy(tmp_path, "chain-rule")
    (root / "chain-rule" / "grading.py").write_text("import does_not_exist\n")
    spec = load_folder(root / "chain-rule")
    with pytest.raises(
        CourseError, match=r"chain-rule/grading.py: import failed: ModuleNotFoundError"
    ):
        _ = spec.grading


def test_a_missing_statement_names_the_file(tmp_path: Path) -> None:
    root = _copy(tmp_path, "chain-rule")
    (root / "chain-rule" / "statement.md").unlink()
    with pytest.raises(CourseError, match=r"chain-rule/statement.md: missing"):
        load_folder(root / "chain-rule")


def test_a_bad_kind_is_rejected(tmp_path: Path) -> None:
    root = _copy(tmp_path, "chain-rule")
    info = root / "chain-rule" / "info.json"
    data = json.loads(info.read_text())
    data["kind"] = "essay"
    info.write_text(json.dumps(data))
    with pytest.raises(CourseError, match="'kind' must be one of"):
        load_folder(root / "chain-rule")


def test_a_broken_folder_leaves_the_database_unchanged(db: None, tmp_path: Path) -> None:
    root = _copy(tmp_path, "chain-rule")
    shutil.copytree(CONTENT / "fix-runtime-error", root / "fix-runtime-error")
    (root / "fix-runtime-error" / "grading.py").write_text(
        "CHECKS = []\ndef inputs(p, r): ...\ndef expected(p, i): ...\n"
    )
    with pytest.raises(CourseError, match=r"CHECKS must be a non-empty list"):
        course_load(root=root)
    assert Exercise.objects.count() == 0


def test_the_command_turns_course_errors_into_a_command_error(
    db: None, settings, tmp_path: Path
) -> None:
    root = _copy(tmp_path, "chain-rule")
    (root / "chain-rule" / "info.json").write_text("[]")
    settings.COURSE_CONTENT_DIR = root
    with pytest.raises(CommandError, match=r"info\.json: must be a JSON object"):
        call_command("loadcourse")


def test_a_changed_folder_is_picked_up_within_the_check_interval(
    tmp_path: Path,
    settings,
    monkeypatch,
) -> None:
    """Specs are cached per process and a folder is hashed again at most every
    CHECK_SECONDS, so a fixed exercise reaches running workers without a restart."""
    from exercises.course import FolderCache, load_spec

    monkeypatch.setattr(FolderCache, "CHECK_SECONDS", 0.3)
    root = _copy(tmp_path, "chain-rule")
    settings.COURSE_CONTENT_DIR = root
    first = load_spec("chain-rule")
    assert load_spec("chain-rule") is first  # cached
    statement = root / "chain-rule" / "statement.md"
    statement.write_text(statement.read_text() + "\nA new hint.\n")
    assert load_spec("chain-rule") is first  # not hashed again yet
    time.sleep(0.35)  # the scenario: the check interval (0.3 s) runs out
    again = load_spec("chain-rule")
    assert again is not first and again.statement.endswith("A new hint.\n")


def test_long_lived_processes_load_the_specs_then_freeze_them_out_of_the_collector() -> None:
    """Celery worker processes call freeze_loaded_objects(grading=True) at start: torch
    and every spec's grading module are loaded, and the collector no longer walks them
    (with ~1 million tracked objects, each full collection cost ~0.5 s of CPU)."""
    import subprocess
    import sys

    code = (
        "import django, gc, sys; django.setup()\n"
        "from exercises.course import freeze_loaded_objects\n"
        "before = len(gc.get_objects())\n"
        "freeze_loaded_objects(grading=True)\n"
        "print('torch' in sys.modules, before, gc.get_freeze_count(), len(gc.get_objects()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    ).stdout.split()
    torch_loaded, before, frozen, tracked = out[0] == "True", *map(int, out[1:])
    assert torch_loaded
    assert frozen > 2 * before and frozen > 100_000
    assert tracked < 1000
