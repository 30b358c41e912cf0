#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test pass on PostgreSQL: Debian's postgresql (installed
# when missing), a fresh data directory, listening on 127.0.0.1 only, password auth (so tests can
# prove wrong credentials are refused), one empty database.
#   scripts/pg-cluster.sh start <dir> [port]   prints the TEST_DATABASE_URL on its last line
#   scripts/pg-cluster.sh stop <dir>
# initdb refuses to run as root, so the cluster belongs to the `postgres` user when run as root.
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?data directory}
port=${3:-5433}
password=securelogin-test

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ "$cmd" = start ] && [ -z "$bin" ]; then
  echo "== installing postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$1"; else bash -c "$1"; fi
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "printf '%s' '$password' > '$dir/pw' && '$bin/initdb' -D '$dir/data' -U postgres --auth=scram-sha-256 --pwfile='$dir/pw' -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1"
    fi
    # fsync off: a throwaway test cluster trades durability for speed on a 2-core CI machine.
    as_owner "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -o \"-h 127.0.0.1 -p $port -k '$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start >/dev/null"
    as_owner "PGPASSWORD='$password' '$bin/createdb' -h 127.0.0.1 -p $port -U postgres securelogin_test 2>/dev/null || true"
    echo "postgresql://postgres:$password@127.0.0.1:$port/securelogin_test"
    ;;
  stop)
    as_owner "'$bin/pg_ctl' -D '$dir/data' -m fast -w stop >/dev/null" || true
    ;;
  *) echo "usage: $0 start|stop <dir> [port]" >&2; exit 2 ;;
esac
