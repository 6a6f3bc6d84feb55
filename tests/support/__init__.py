"""Harness shared by the tests and the bench scripts: a production-shaped stack on
private services (stack.py), hostile answers (answers.py) and bounded waits (wait.py).
bench/ imports it from here so that every piece exists once and tests never import
bench/."""
