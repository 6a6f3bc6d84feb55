#!/usr/bin/env bash
# Builds every image of the stack on this machine, from package registries only:
#   1. the base image (deploy/base-image.sh: debootstrap + docker import), once;
#   2. the wheels of deploy/requirements-image.txt (requirements.txt and what the
#      image's Python 3.11.2 needs besides) into var/deploy/wheels (pip wheel; torch is the
#      CPU wheel pinned there), refreshed when either file changes;
#   3. docker-compose build: the app image (web and worker), Redis and PostgreSQL.
# Docker's layer cache makes a second run fast: only changed layers are rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."
PIP="${PIP:-.venv/bin/pip}"
started=$(date +%s)
deploy/base-image.sh
wheels=var/deploy/wheels
stamp="$wheels/.requirements-$(cat requirements.txt deploy/requirements-image.txt | sha1sum | cut -c1-12)"
if [ ! -e "$stamp" ]; then
  rm -rf "$wheels"
  mkdir -p "$wheels"
  echo "pip wheel -r deploy/requirements-image.txt -> $wheels"
  nice "$PIP" wheel -q --disable-pip-version-check -r deploy/requirements-image.txt \
    -w "$wheels"
  touch "$stamp"
fi
# Compose needs the secrets' variables set to parse the file; a build uses none of them.
SECRET_KEY="${SECRET_KEY:-build}" GRADER_SEED_KEY="${GRADER_SEED_KEY:-build}" \
  nice docker-compose -f docker-compose.yml build "$@"
echo "images built in $(($(date +%s) - started)) s"
