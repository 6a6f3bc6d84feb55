"""Answers shared by several tests and bench/faults.py, written once here: hostile ones,
and a right one that takes its time. Each is a student answer (it runs in the
sandbox)."""

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

# An answer to autograd-basics that is right, but takes a few seconds in the sandbox
# (sleeping costs no CPU time), so the page can be seen while it is graded.
SLOW_BASICS = (
    "import time\n"
    "time.sleep({seconds})\n"
    "import torch\n"
    "x = torch.tensor(x0, requires_grad=True)\n"
    "z = torch.sin(x**2)\n"
    "z.backward()\n"
)
