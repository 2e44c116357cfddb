#!/usr/bin/env bash
# Two stateless curbside instances behind nginx, sharing one read-only data folder and one
# PostgreSQL for the editorial state (answers, reviews, accounts, sessions, audit log).
#
#   deploy/two_instances.sh DATA_DIR
#
# DATA_DIR is an ingested data folder (`curbside ingest [--embed]`). Each instance sees it
# read-only: where this user may (root, or user namespaces), each runs in its own mount
# namespace with DATA_DIR bind-mounted read-only, which proves nothing is written there.
# Environment (all optional):
#   CURBSIDE_DATABASE_URL  postgresql://... shared by both; unset: a throwaway PostgreSQL
#                          (Debian's postgresql package) is started in a temporary folder
#   PORT_A, PORT_B         the instances' ports (8001, 8002); PROXY_PORT nginx's (8080)
#   CURBSIDE_CMD           how to run curbside ("curbside"; e.g. ".venv/bin/curbside")
#   READONLY               auto (default), yes (fail when it cannot), no
# Needs nginx (Debian: apt-get install nginx-light). Stops both instances, nginx and the
# throwaway database on Ctrl+C or when any of them exits.
set -euo pipefail
[ $# -eq 1 ] || { sed -n '2,19p' "$0"; exit 2; }
DATA=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PORT_A=${PORT_A:-8001}; PORT_B=${PORT_B:-8002}; PROXY_PORT=${PROXY_PORT:-8080}
read -r -a CURBSIDE <<< "${CURBSIDE_CMD:-curbside}"
command -v nginx >/dev/null || { echo "nginx not found: apt-get install nginx-light" >&2; exit 3; }
RUN=$(mktemp -d /tmp/curbside-deploy.XXXXXX)
PIDS=()
PG_CTL=""
AS_PG=""

cleanup() {
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$PG_CTL" ]; then $AS_PG "$PG_CTL" -D "$RUN/pg/data" -m fast stop >/dev/null 2>&1 || true; fi
  rm -rf "$RUN"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ---- one PostgreSQL (a throwaway one unless CURBSIDE_DATABASE_URL is given) ---------------
if [ -z "${CURBSIDE_DATABASE_URL:-}" ]; then
  bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)")
  [ -x "$bin/initdb" ] || { echo "PostgreSQL not found: apt-get install postgresql, or set CURBSIDE_DATABASE_URL" >&2; exit 3; }
  mkdir -p "$RUN/pg"
  if [ "$(id -u)" = 0 ]; then chown postgres "$RUN" "$RUN/pg"; AS_PG="runuser -u postgres --"; fi
  PG_PORT=$(free_port)
  $AS_PG "$bin/initdb" -D "$RUN/pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  $AS_PG "$bin/pg_ctl" -D "$RUN/pg/data" -l "$RUN/pg/log" -w start \
    -o "-p $PG_PORT -k $RUN/pg -c listen_addresses=127.0.0.1" >/dev/null
  PG_CTL="$bin/pg_ctl"
  export CURBSIDE_DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "throwaway PostgreSQL on 127.0.0.1:$PG_PORT" >&2
fi

# ---- the instances: same data folder (read-only), same database --------------------------
WRAP=()
case "${READONLY:-auto}" in
  no) ;;
  *) if unshare -rm --propagation private true 2>/dev/null; then
       # a private mount namespace per instance, DATA bind-mounted read-only inside it
       WRAP=(unshare -rm --propagation private sh -c 'mount --bind -o ro "$0" "$0" && exec "$@"' "$DATA")
     elif [ "${READONLY:-auto}" = yes ]; then
       echo "cannot mount $DATA read-only here (needs root or user namespaces)" >&2; exit 3
     fi ;;
esac
export CURBSIDE_DATA_DIR="$DATA" CURBSIDE_TRUST_PROXY=true
for port in "$PORT_A" "$PORT_B"; do
  "${WRAP[@]}" "${CURBSIDE[@]}" serve --port "$port" --engines 1 --log-level warning &
  PIDS+=($!)
done

# ---- nginx in front ------------------------------------------------------------------------
sed -e "s|@RUN@|$RUN|g" -e "s|@PORT_A@|$PORT_A|g" -e "s|@PORT_B@|$PORT_B|g" -e "s|@PROXY_PORT@|$PROXY_PORT|g" \
  "$HERE/nginx.conf" > "$RUN/nginx.conf"
for port in "$PORT_A" "$PORT_B"; do  # nginx starts once both answer
  for _ in $(seq 1 240); do
    python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/healthz', timeout=2)" 2>/dev/null && break
    sleep 0.5
  done
done
nginx -p "$RUN" -e "$RUN/nginx-error.log" -c "$RUN/nginx.conf" -g 'daemon off;' &
PIDS+=($!)
echo "curbside: http://127.0.0.1:$PROXY_PORT/ -> instances on :$PORT_A and :$PORT_B (data $DATA$( [ ${#WRAP[@]} -gt 0 ] && echo ', read-only'))" >&2
wait -n "${PIDS[@]}"
echo "a process exited; stopping the others" >&2
