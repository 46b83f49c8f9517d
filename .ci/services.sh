#!/usr/bin/env bash
# Installs and starts what the tests need: a Docker engine, PostgreSQL, Redis, debootstrap.
# Idempotent: safe on a fresh machine and on one where it already ran. Needs root.
# Prints the environment the tests read (BERTH_TEST_*), for `eval "$(bash .ci/services.sh)"`.
set -euo pipefail
log() { echo "services: $*" >&2; }
# initdb (run by postgresql's install and by pg_createcluster) fails on a locale that is not
# generated; C.UTF-8 always exists on Debian.
export LANG=C.UTF-8 LC_ALL=C.UTF-8
trap 'log "failed at line $LINENO: $BASH_COMMAND"' ERR

packages=(docker.io postgresql redis-server debootstrap busybox-static docker-compose ca-certificates docker-registry)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

# Docker engine: start dockerd when none answers; fall back to vfs if overlay2 cannot start.
if ! docker info >/dev/null 2>&1; then
  for driver in overlay2 vfs; do
    log "starting dockerd (storage driver $driver)"
    nohup dockerd --storage-driver="$driver" >/var/log/berth-dockerd.log 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 && break
    log "dockerd did not start with $driver; last log lines:"; tail -n 5 /var/log/berth-dockerd.log >&2 || true
    # Only the dockerd started here, by its pid: never another engine on the machine.
    kill "$dockerd_pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.5; done
  done
  docker info >/dev/null 2>&1 || { log "no Docker engine could be started"; exit 1; }
fi

# PostgreSQL: Debian's cluster, password auth on loopback.
pg_version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
clusters=$(pg_lsclusters -h) # captured: `grep -q` on a pipe can SIGPIPE the writer under pipefail
if ! grep -q online <<<"$clusters"; then
  # Debian's socket directory, owned as the package makes it: a stale lock file left by a killed
  # server is removed by the next one only if it can write here.
  install -d -o postgres -g postgres -m 2775 /var/run/postgresql
  grep -q "^$pg_version main" <<<"$clusters" || pg_createcluster --locale C.UTF-8 "$pg_version" main >&2
  log "starting PostgreSQL $pg_version"
  pg_ctlcluster "$pg_version" main start >&2
fi
for _ in $(seq 1 120); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
pg_isready -h 127.0.0.1 >&2 || { log "PostgreSQL does not answer on 127.0.0.1:5432"; tail -n 20 /var/log/postgresql/*.log >&2 || true; exit 1; }
(cd / && su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'berth'\"") >/dev/null

# Redis: no persistence, loopback only.
if ! redis-cli -p 6379 ping >/dev/null 2>&1; then
  log "starting Redis"
  redis-server --daemonize yes --port 6379 --bind 127.0.0.1 --save '' --appendonly no >&2
  for _ in $(seq 1 50); do redis-cli -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2; done
fi
redis-cli -p 6379 ping >/dev/null || { log "Redis does not answer on 127.0.0.1:6379"; exit 1; }

echo "export BERTH_TEST_DATABASE_URL=postgres://postgres:berth@127.0.0.1:5432/postgres"
echo "export BERTH_TEST_REDIS_URL=redis://127.0.0.1:6379"
