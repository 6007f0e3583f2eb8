#!/usr/bin/env bash
# Install (Debian apt-get) and start the servers the tests need: RabbitMQ and PostgreSQL on loopback
# (and install Chromium, the browser the web dashboard tests drive, and Prometheus, whose promtool
# and server the deploy tests run).
# Usage: scripts/services.sh [ensure|status]   (default: ensure; idempotent, starts only what is down)
#   ensure  install missing packages, start RabbitMQ on 127.0.0.1:5672 and PostgreSQL on
#           127.0.0.1:5432, create role gridhub/gridhub and database gridhub_test
#   status  say what answers, change nothing
# Works without systemd (containers, CI). Needs root, or sudo, to install and start servers.
set -euo pipefail

AMQP_PORT=5672
PG_PORT=5432
PG_ROLE=gridhub
PG_PASSWORD=gridhub
PG_DB=gridhub_test
WAIT_SECONDS=60
LOCK_FILE=${TMPDIR:-/tmp}/gridhub-services.lock

say() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

port_open() {  # port_open PORT -> 0 when something accepts TCP on 127.0.0.1:PORT
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

as_root() {  # run a command as root: directly, via sudo, or fail saying what to do by hand
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run '$*' (not root and no sudo). As root: apt-get install rabbitmq-server \
postgresql, start both, then rerun; or point GRIDHUB_TEST_AMQP_URL / GRIDHUB_TEST_PG_URL at servers."
  fi
}

install_missing_packages() {
  local missing=()
  command -v rabbitmq-server >/dev/null 2>&1 || [[ -x /usr/sbin/rabbitmq-server ]] \
    || missing+=(rabbitmq-server)
  command -v pg_ctlcluster >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 \
    || missing+=(postgresql)
  # The web dashboard's Playwright tests drive Debian's Chromium (no browser download).
  command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  # The alert rules and the dashboard are tested with Debian's Prometheus: `promtool test rules`
  # and a real server scraping a hub (tests/deploy). Only its binaries are used; never started here.
  command -v promtool >/dev/null 2>&1 || [[ -x /usr/bin/promtool ]] || missing+=(prometheus)
  # deploy/systemd/gridhub.service is checked with `systemd-analyze verify` (nothing is started).
  command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
  [[ ${#missing[@]} -eq 0 ]] && return 0
  command -v apt-get >/dev/null 2>&1 \
    || die "missing ${missing[*]} and no apt-get here: install them with your package manager"
  say "installing ${missing[*]} with apt-get (takes a minute)"
  # Keep package scripts from starting daemons the Debian way (no systemd here); we start them
  # below, the same way every time. policy-rc.d is Debian's switch for that; only ours is removed.
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [[ ! -e $policy ]]; then
    as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
    own_policy=1
  fi
  local rc=0
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null || rc=$?
  if [[ $rc -eq 0 ]]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null || rc=$?
  fi
  [[ $own_policy -eq 1 ]] && as_root rm -f "$policy"
  [[ $rc -eq 0 ]] || die "apt-get install ${missing[*]} failed (exit $rc); run it by hand to see why"
  say "installed ${missing[*]}"
}

rabbit_log_tail() {
  local f
  for f in /var/log/rabbitmq/rabbit@*.log /var/log/rabbitmq/startup_log \
           /var/log/rabbitmq/startup_err; do
    [[ -s $f ]] && { echo "--- tail of $f" >&2; as_root tail -n 30 "$f" >&2 || true; }
  done
}

start_rabbitmq() {
  if port_open "$AMQP_PORT"; then
    say "rabbitmq: already running on 127.0.0.1:$AMQP_PORT"
    return 0
  fi
  # The management plugin gives ops its HTTP API (queue rates); enabling it offline costs ~2 s,
  # once, and only before the node starts.
  if ! as_root grep -qs rabbitmq_management /etc/rabbitmq/enabled_plugins; then
    as_root rabbitmq-plugins enable --offline rabbitmq_management >/dev/null 9>&- \
      || say "rabbitmq: could not enable the management plugin (ops HTTP API); continuing"
  fi
  # The node may be up but still booting (port not yet open): then only wait.
  if ! as_root rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
    # The init script needs a pid dir and systemd-era helpers; -detached works everywhere.
    as_root rabbitmq-server -detached >/dev/null 2>&1 9>&- \
      || { rabbit_log_tail; die "rabbitmq-server -detached failed"; }
  fi
  local i
  for ((i = 0; i < WAIT_SECONDS; i++)); do
    if port_open "$AMQP_PORT"; then
      say "rabbitmq: started on 127.0.0.1:$AMQP_PORT (${i}s)"
      return 0
    fi
    sleep 1
  done
  rabbit_log_tail
  die "rabbitmq did not open 127.0.0.1:$AMQP_PORT within ${WAIT_SECONDS}s"
}

pg_cluster() {  # prints "VERSION NAME PORT STATUS" of the cluster on PG_PORT, else of the first
  local line
  line=$(pg_lsclusters --no-header 2>/dev/null | awk -v p="$PG_PORT" '$3 == p' | head -n 1)
  [[ -n $line ]] || line=$(pg_lsclusters --no-header 2>/dev/null | head -n 1)
  awk '{print $1, $2, $3, $4}' <<<"$line"
}

start_postgres() {
  if port_open "$PG_PORT"; then
    say "postgresql: already running on 127.0.0.1:$PG_PORT"
    return 0
  fi
  local version name port status
  read -r version name port status <<<"$(pg_cluster)" || true
  if [[ -z ${version:-} ]]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    name=main
    say "postgresql: creating cluster $version/$name"
    as_root pg_createcluster --port "$PG_PORT" "$version" "$name" >/dev/null
  fi
  as_root pg_ctlcluster "$version" "$name" start 9>&- \
    || { as_root tail -n 30 "/var/log/postgresql/postgresql-$version-$name.log" >&2 || true
         die "pg_ctlcluster $version $name start failed"; }
  local i
  for ((i = 0; i < WAIT_SECONDS; i++)); do
    if port_open "$PG_PORT"; then
      say "postgresql: started cluster $version/$name on 127.0.0.1:$PG_PORT (${i}s)"
      return 0
    fi
    sleep 1
  done
  as_root tail -n 30 "/var/log/postgresql/postgresql-$version-$name.log" >&2 || true
  die "postgresql cluster $version/$name did not open 127.0.0.1:$PG_PORT within ${WAIT_SECONDS}s"
}

ensure_pg_role_and_db() {
  if PGPASSWORD=$PG_PASSWORD PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -p "$PG_PORT" -U "$PG_ROLE" \
       -d "$PG_DB" -qtAc 'select 1' >/dev/null 2>&1; then
    return 0
  fi
  say "postgresql: creating role $PG_ROLE and database $PG_DB"
  # Peer auth as the postgres OS user: the one login a fresh Debian cluster allows.
  as_root runuser -u postgres -- psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qtA >/dev/null <<SQL \
    || die "could not create role $PG_ROLE / database $PG_DB in the cluster on port $PG_PORT"
DO \$\$ BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE') THEN
    ALTER ROLE $PG_ROLE WITH LOGIN SUPERUSER PASSWORD '$PG_PASSWORD';
  ELSE
    CREATE ROLE $PG_ROLE WITH LOGIN SUPERUSER PASSWORD '$PG_PASSWORD';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE $PG_DB OWNER $PG_ROLE'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DB') \gexec
SQL
}

status() {
  local rc=0
  if port_open "$AMQP_PORT"; then say "rabbitmq: up on 127.0.0.1:$AMQP_PORT"
  else say "rabbitmq: down"; rc=1; fi
  if port_open "$PG_PORT"; then say "postgresql: up on 127.0.0.1:$PG_PORT"
  else say "postgresql: down"; rc=1; fi
  return $rc
}

ensure() {
  # Serialise: several test runs on one machine must not start the same server twice. Daemons
  # are started with fd 9 closed, or they would hold this lock for as long as they run.
  { exec 9>>"$LOCK_FILE" && chmod a+rw "$LOCK_FILE"; } 2>/dev/null || exec 9<"$LOCK_FILE"
  flock -n 9 || { say "waiting for another scripts/services.sh run to finish"; flock -w 600 9; } \
    || die "waited 600s for $LOCK_FILE (another scripts/services.sh run)"
  install_missing_packages
  start_rabbitmq
  start_postgres
  ensure_pg_role_and_db
}

case "${1:-ensure}" in
  ensure) ensure ;;
  status) status ;;
  -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$1' (try --help)" ;;
esac
