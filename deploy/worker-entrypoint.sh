#!/bin/sh
# The worker container's entry point: one privileged step, then the worker as `app` with
# no capabilities at all (docs/deployment.md, "The worker's security options").
#
# bubblewrap mounts a fresh /proc for the jail's PID namespace. From inside a user
# namespace the kernel allows that only if a procfs of this container is already fully
# visible, and Docker's masks over /proc (kcore, sysrq-trigger, /proc/sys, ...) make the
# container's /proc not fully visible. `docker run --security-opt systempaths=unconfined`
# removes the masks, but docker-compose 1.29 cannot send that option; so this step mounts
# a second procfs that shows process directories only (subset=pid: none of the masked
# files), which satisfies the kernel's check. It needs CAP_SYS_ADMIN, and setpriv then
# drops it with every other capability, from the bounding set too, before the worker
# starts. Run as a non-root user (no capability), it only starts the command.
set -eu
if [ "$(id -u)" = 0 ]; then
  if ! mountpoint -q /run/agproc; then
    mount -t proc -o nosuid,nodev,noexec,subset=pid proc /run/agproc
  fi
  exec setpriv --reuid app --regid app --init-groups --inh-caps=-all --bounding-set=-all \
    -- "$@"
fi
exec "$@"
