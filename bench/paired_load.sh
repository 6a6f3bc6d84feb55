#!/usr/bin/env bash
# Paired load runs: this checkout's bench (bench/load.py, bench/locustfile.py and the
# stack of tests/support/stack.py) against the app of two commits, alternated
# A B A B ..., each run on a fresh stack, so that both codes meet the same students,
# the same mix (quizzes included) and, run after run, the same state of the machine.
#
#   PY=.venv/bin/python bench/paired_load.sh                     # 4e98d61 vs this checkout, 2 pairs
#   PY=.venv/bin/python PAIRS=3 bench/paired_load.sh 4e98d61 main -- --students 200 --duration 120
#
# Arguments: BEFORE (default 4e98d61), AFTER (default: this checkout as it is, edits
# included), then after `--` options for bench/load.py (default: its own). A commit is
# run from a detached git worktree at var/code-<commit>/, made on first use and kept for
# the next run (`git worktree remove var/code-<commit>` when done). Environment: PY (the
# interpreter, default .venv/bin/python), PAIRS (default 2), NICE (niceness, default 0).
#
# Prints each run's last two lines (the quiz attempts, then submissions and quiz
# attempts together) under a header naming the code; the whole output of each run is in
# var/bench-results/paired-<time>-<n>-<label>.log, its numbers in the load-*.json that
# load.py writes next to it. Exit status 1 if any run failed or lost or duplicated work.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PY:-$ROOT/.venv/bin/python}"
PAIRS="${PAIRS:-2}"
NICE="${NICE:-0}"

BEFORE="4e98d61"
AFTER="."
if [[ $# -gt 0 && "$1" != "--" ]]; then BEFORE="$1"; shift; fi
if [[ $# -gt 0 && "$1" != "--" ]]; then AFTER="$1"; shift; fi
if [[ $# -gt 0 && "$1" == "--" ]]; then shift; fi
LOAD_ARGS=("$@")

# A commit -> the directory of a worktree checked out at it ("." is this checkout).
code_dir() {
    local ref="$1" sha dir
    if [[ "$ref" == "." ]]; then
        echo "$ROOT"
        return
    fi
    sha="$(git -C "$ROOT" rev-parse --short=12 "$ref^{commit}")"
    dir="$ROOT/var/code-$sha"
    if [[ ! -e "$dir/manage.py" ]]; then
        mkdir -p "$ROOT/var"
        git -C "$ROOT" worktree add --detach "$dir" "$sha" >&2
    fi
    if [[ "$(git -C "$dir" rev-parse --short=12 HEAD)" != "$sha" ]]; then
        echo "$dir is not at $sha" >&2
        exit 2
    fi
    echo "$dir"
}

label() {
    if [[ "$1" == "." ]]; then
        local dirty=""
        [[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no)" ]] && dirty="+edits"
        echo "after-$(git -C "$ROOT" rev-parse --short HEAD)$dirty"
    else
        echo "$2-$(git -C "$ROOT" rev-parse --short "$1^{commit}")"
    fi
}

A_DIR="$(code_dir "$BEFORE")"
B_DIR="$(code_dir "$AFTER")"
A_LABEL="$(label "$BEFORE" before)"
B_LABEL="$(label "$AFTER" after)"
mkdir -p "$ROOT/var/bench-results"
STAMP="$(date +%Y%m%d-%H%M%S)"
failed=0
n=0
for ((pair = 1; pair <= PAIRS; pair++)); do
    for side in A B; do
        n=$((n + 1))
        if [[ "$side" == A ]]; then dir="$A_DIR" name="$A_LABEL"; else dir="$B_DIR" name="$B_LABEL"; fi
        log="$ROOT/var/bench-results/paired-$STAMP-$n-$name.log"
        echo "== run $n: $name ($dir) load.py ${LOAD_ARGS[*]:-} -- $(date -u +%H:%M:%S) UTC"
        status=0
        (cd "$ROOT" && nice -n "$NICE" "$PY" bench/load.py --code-dir "$dir" "${LOAD_ARGS[@]}") \
            >"$log" 2>&1 || status=$?
        grep -E "^(graded/s|quiz graded/s|quiz submit->score client|quiz in the workers)" "$log" || true
        tail -n 2 "$log"
        if [[ $status -ne 0 ]]; then
            echo "(exit status $status; see $log)"
            failed=1
        fi
    done
done
exit "$failed"
