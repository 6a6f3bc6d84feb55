import json
import shutil
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
    root = _copy(tmp_path, "chain-rule")
    (root / "chain-rule" / "grading.py").write_text("import does_not_exist\n")
    with pytest.raises(
        CourseError, match=r"chain-rule/grading.py: import failed: ModuleNotFoundError"
    ):
        load_folder(root / "chain-rule")


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
) -> None:  # type: ignore[no-untyped-def]
    root = _copy(tmp_path, "chain-rule")
    (root / "chain-rule" / "info.json").write_text("[]")
    settings.COURSE_CONTENT_DIR = root
    with pytest.raises(CommandError, match=r"info\.json: must be a JSON object"):
        call_command("loadcourse")
