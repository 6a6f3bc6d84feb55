"""Hostile answers shared by tests/faults/ and bench/faults.py: each is a student
answer (it runs in the sandbox), written once here."""

# Outlives the sandbox's time limit.
LOOP = "import torch\nwhile True:\n    pass\n"

# Writes up to 720 MB into its job dir; the jail's tmpfs stops it at its size.
FILLER = """
chunk = b"\\0" * (1 << 20)
written = 0
try:
    for i in range(12):
        with open(f"fill{i}", "wb") as f:
            for _ in range(60):
                f.write(chunk)
                written += 1
except OSError as exc:
    print(f"stopped after {written} MB: {exc}")
"""
