"""The notes pages' graph pictures are the ones the code draws today."""

from django.core.management import call_command


def test_the_committed_lecture_graphs_are_current() -> None:
    call_command("drawlecturegraphs", "--check")  # raises CommandError naming a stale one
