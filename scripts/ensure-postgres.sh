#!/usr/bin/env bash
# Start the local PostgreSQL cluster unless it already accepts connections.
set -euo pipefail
ensure_database() {
  # The database CI's DATABASE_URL names (the tests create their own test_ database).
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='autograd_course'" \
    | grep -q 1 || createdb -h 127.0.0.1 -U postgres autograd_course
}
if pg_isready -h 127.0.0.1 -p 5432 -q; then ensure_database; exit 0; fi
if ! command -v pg_ctlcluster >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
fi
version=$(ls /etc/postgresql | sort -V | tail -1)
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 100); do
  pg_isready -h 127.0.0.1 -p 5432 -q && { ensure_database; exit 0; }
  sleep 0.2
done
echo "postgresql did not start on 127.0.0.1:5432" >&2
exit 1
