#!/usr/bin/env bash
# Local infrastructure for Taskize Connect, without Docker:
#   - a single-node Apache Kafka broker (KRaft) from Maven Central jars,
#   - a MySQL-compatible server (the machine's MariaDB, or one this script starts),
#   - per-service schemas and least-privilege users, with generated secrets.
#
# Usage: bash scripts/infra.sh <up|down|status|env|kafka-stop|kafka-start> [--profile dev|test] [--kill]
#   profile also from $INFRA_PROFILE (default dev).
#   kafka-stop [--kill] / kafka-start: stop (SIGTERM, or SIGKILL with --kill, as a crash would) and
#   start again only this profile's broker, keeping its data dir and the schemas (fault tests).
#   dev : Kafka 127.0.0.1:9092 (controller 9093), data kept across down/up, schemas taskize_<svc>.
#   test: Kafka 127.0.0.1:19092 (controller 19093), data + schemas start empty on every fresh up,
#         dropped on down; schemas taskize_<svc>_test, users <svc>_app_test / <svc>_migrator_test.
# Logs go to stderr (prefixed "infra:"); stdout is only used by `env` (KEY=value lines).
# State lives under <repo>/.cache/ (git-ignored). Only 127.0.0.1 is used.
# Exit codes: 0 ok, 1 error, 2 usage, 3 (status) something is down.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="$ROOT/.cache"
KAFKA_DIR="$ROOT/deploy/local/kafka"
POM="$KAFKA_DIR/pom.xml"
TEMPLATE="$KAFKA_DIR/server.properties.template"
LOG4J="$KAFKA_DIR/log4j.properties"
LIBS="$CACHE/kafka/libs"

DB_HOST=127.0.0.1
DB_PORT=3306
MYSQL_ROOT_USER="${MYSQL_ROOT_USER:-root}"
MYSQL_ROOT_PASSWORD="${MYSQL_ROOT_PASSWORD:-}"
MYSQL_MARKER="$CACHE/mysql.started-by-infra"
MARIADBD=/usr/sbin/mariadbd

KAFKA_START_TIMEOUT="${INFRA_KAFKA_START_TIMEOUT:-60}"   # seconds
# INFRA_KAFKA_JVM_OPTS: extra JVM options for the broker (optional)
KAFKA_STOP_TIMEOUT="${INFRA_KAFKA_STOP_TIMEOUT:-30}"     # seconds
MYSQL_START_TIMEOUT="${INFRA_MYSQL_START_TIMEOUT:-60}"   # seconds

SERVICES=(directory auth)

log() { printf 'infra: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  echo "usage: bash scripts/infra.sh <up|down|status|env|kafka-stop|kafka-start> [--profile dev|test] [--kill]" >&2
  exit 2
}

# ---------------------------------------------------------------- arguments
CMD=""
PROFILE="${INFRA_PROFILE:-dev}"
KILL=0
KEEP_DATA=0
while [ $# -gt 0 ]; do
  case "$1" in
    up|down|status|env|kafka-stop|kafka-start) [ -z "$CMD" ] || usage; CMD="$1" ;;
    --kill) KILL=1 ;;
    --profile) [ $# -ge 2 ] || usage; PROFILE="$2"; shift ;;
    --profile=*) PROFILE="${1#--profile=}" ;;
    -h|--help) usage ;;
    *) log "unknown argument: $1"; usage ;;
  esac
  shift
done
[ -n "$CMD" ] || usage

case "$PROFILE" in
  dev)  KAFKA_PORT=9092;  KAFKA_CTL_PORT=9093;  SUFFIX="" ;;
  test) KAFKA_PORT=19092; KAFKA_CTL_PORT=19093; SUFFIX="_test" ;;
  *) die "unknown profile '$PROFILE' (expected dev or test)" ;;
esac

PDIR="$CACHE/$PROFILE"
PROPS="$PDIR/server.properties"
PIDFILE="$PDIR/kafka.pid"
KLOG="$PDIR/kafka.log"
DATA="$PDIR/kafka-data"
SECRETS="$PDIR/secrets.env"
SIGNING_KEYS="$PDIR/auth-signing-keys.json"
NODE_ID=1

# ---------------------------------------------------------------- helpers
# true if something accepts TCP on 127.0.0.1:$1
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# pids of java kafka.Kafka processes started with the given server.properties path
kafka_pids_for() {
  local pat
  pat="$(printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g')"
  pgrep -f "kafka\\.Kafka ${pat}\$" || true
}

# true if $1 is alive and not a zombie (a container's pid 1 may not reap)
pid_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local state
  state="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null || true)"
  [ "$state" != Z ]
}

# true if $1 is a live process whose command line is a kafka.Kafka for $2
pid_is_kafka_for() {
  local pid="$1" props="$2"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "kafka.Kafka $props"
}

# pid of this profile's running broker (from the pid file, else by command line), or empty
kafka_pid() {
  local props="${1:-$PROPS}" pidfile="${2:-$PIDFILE}" pid=""
  if [ -f "$pidfile" ]; then
    pid="$(tr -dc '0-9' <"$pidfile" || true)"
    if pid_is_kafka_for "$pid" "$props"; then echo "$pid"; return 0; fi
  fi
  kafka_pids_for "$props" | head -n1
}

mysql_root() {
  if [ -n "$MYSQL_ROOT_PASSWORD" ]; then
    MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql --protocol=TCP -h"$DB_HOST" -P"$DB_PORT" -u"$MYSQL_ROOT_USER" -N -B "$@"
  else
    mysql --protocol=TCP -h"$DB_HOST" -P"$DB_PORT" -u"$MYSQL_ROOT_USER" -N -B "$@"
  fi
}

mysql_ok() { command -v mysql >/dev/null 2>&1 && mysql_root -e 'SELECT 1' >/dev/null 2>&1; }

# Serialise concurrent invocations (e.g. parallel test targets). The fd is closed for every
# long-lived child (java, mariadbd) so the lock dies with this script.
take_lock() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.infra.lock"
  if command -v flock >/dev/null 2>&1; then
    flock -w 300 9 || die "could not get $CACHE/.infra.lock within 300 s"
  fi
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "missing $*, and no apt-get to install it"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 9>&-
    APT_UPDATED=1
  fi
  log "apt-get install -y $*"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 9>&-
}

gen_hex() {   # $1 = number of random bytes
  od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'
}

# Make sure secrets.env has every key; generate missing ones once, never rotate.
ensure_secrets() {
  mkdir -p "$PDIR"
  local old_umask key
  old_umask="$(umask)"; umask 077
  touch "$SECRETS"
  umask "$old_umask"
  chmod 600 "$SECRETS"
  local keys=(INTERNAL_API_TOKEN AUTH_COOKIE_KEYS AUTH_CLIENT_SECRET_KEY)
  for svc in "${SERVICES[@]}"; do
    key="$(echo "$svc" | tr '[:lower:]' '[:upper:]')"
    keys+=("${key}_DB_PASSWORD" "${key}_DB_MIGRATION_PASSWORD")
  done
  for key in "${keys[@]}"; do
    if ! grep -q "^${key}=" "$SECRETS"; then
      if [ "$key" = INTERNAL_API_TOKEN ] || [ "$key" = AUTH_COOKIE_KEYS ] || [ "$key" = AUTH_CLIENT_SECRET_KEY ]; then
        echo "${key}=$(gen_hex 32)" >>"$SECRETS"      # 64 hex chars
      else
        echo "${key}=$(gen_hex 16)" >>"$SECRETS"      # 32 hex chars
      fi
      log "generated $key into ${SECRETS#"$ROOT"/}"
    fi
  done
}

# The auth service's token signing keys (a private JWKS, docs/adr/0003-oauth.md): one RSA key,
# generated once per profile, never rotated here and never in the repository.
ensure_signing_keys() {
  [ -s "$SIGNING_KEYS" ] && return 0
  command -v node >/dev/null 2>&1 || die "node is needed to generate ${SIGNING_KEYS#"$ROOT"/}"
  local old_umask; old_umask="$(umask)"; umask 077
  node -e '
    const { generateKeyPairSync, randomBytes } = require("node:crypto");
    const jwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
    const kid = new Date().toISOString().slice(0, 10) + "-" + randomBytes(4).toString("hex");
    process.stdout.write(JSON.stringify({ keys: [{ ...jwk, kid, alg: "RS256", use: "sig" }] }, null, 2) + "\n");
  ' >"$SIGNING_KEYS.tmp" || { umask "$old_umask"; rm -f "$SIGNING_KEYS.tmp"; die "generating auth signing keys failed"; }
  umask "$old_umask"
  mv "$SIGNING_KEYS.tmp" "$SIGNING_KEYS"
  log "generated auth signing keys into ${SIGNING_KEYS#"$ROOT"/}"
}

secret() {   # value of key $1 from secrets.env
  sed -n "s/^$1=//p" "$SECRETS" | head -n1
}

db_name()  { echo "taskize_$1${SUFFIX}"; }
app_user() { echo "$1_app${SUFFIX}"; }
mig_user() { echo "$1_migrator${SUFFIX}"; }

# ---------------------------------------------------------------- up: steps
ensure_tools() {
  local pkgs=()
  command -v java >/dev/null 2>&1 || pkgs+=(openjdk-17-jre-headless)
  command -v mvn  >/dev/null 2>&1 || pkgs+=(maven)
  if [ ${#pkgs[@]} -gt 0 ]; then
    # install both together, as a pair, whichever is missing
    apt_install openjdk-17-jre-headless maven
  fi
  command -v mysql >/dev/null 2>&1 || apt_install mariadb-client
  command -v java >/dev/null 2>&1 || die "java still missing after install"
  command -v mvn  >/dev/null 2>&1 || die "mvn still missing after install"
}

kafka_version() {
  local v
  v="$(sed -n 's:.*<kafka\.version>[[:space:]]*\([^<[:space:]]*\)[[:space:]]*</kafka\.version>.*:\1:p' "$POM" | head -n1)"
  [ -n "$v" ] || die "could not read <kafka.version> from ${POM#"$ROOT"/}"
  echo "$v"
}

ensure_jars() {
  local version marker tmp
  version="$(kafka_version)"
  marker="$LIBS/.resolved-$version"
  if [ -f "$marker" ]; then
    return 0
  fi
  log "resolving Kafka $version jars from Maven Central into ${LIBS#"$ROOT"/}"
  tmp="$CACHE/kafka/libs.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # (maven 3.8 prints ANSI resets even with -B -q; strip them)
  if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1 9>&- | sed 's/\x1b\[[0-9;]*m//g' >&2; then
    rm -rf "$tmp"
    die "mvn dependency:copy-dependencies failed"
  fi
  ls "$tmp"/kafka_2.13-"$version".jar >/dev/null 2>&1 || { rm -rf "$tmp"; die "kafka_2.13-$version.jar not resolved"; }
  # replace wholesale: jars of another version must not stay on the classpath
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  touch "$LIBS/.resolved-$version"
  log "Kafka jars ready ($(find "$LIBS" -maxdepth 1 -name '*.jar' | wc -l) jars)"
}

render_props() {
  mkdir -p "$PDIR"
  local esc
  esc="$(printf '%s' "$DATA" | sed 's/[\\&|]/\\&/g')"
  sed -e "s|{{NODE_ID}}|$NODE_ID|g" \
      -e "s|{{LISTENER_PORT}}|$KAFKA_PORT|g" \
      -e "s|{{CONTROLLER_PORT}}|$KAFKA_CTL_PORT|g" \
      -e "s|{{LOG_DIR}}|$esc|g" \
      "$TEMPLATE" >"$PROPS.tmp"
  if grep -q '{{' "$PROPS.tmp"; then
    die "unrendered placeholder in $TEMPLATE: $(grep -o '{{[A-Z_]*}}' "$PROPS.tmp" | head -n1)"
  fi
  mv "$PROPS.tmp" "$PROPS"
}

ensure_kafka() {
  local pid
  pid="$(kafka_pid)"
  if [ -n "$pid" ] && port_open "$KAFKA_PORT"; then
    echo "$pid" >"$PIDFILE"
    log "kafka ($PROFILE) already up: pid $pid, 127.0.0.1:$KAFKA_PORT"
    KAFKA_WAS_RUNNING=1
    return 0
  fi
  KAFKA_WAS_RUNNING=0
  if [ -n "$pid" ]; then
    # alive but not answering: a previous start still booting, or wedged. Start over.
    log "kafka ($PROFILE) pid $pid is alive but 127.0.0.1:$KAFKA_PORT does not answer; restarting it"
    stop_kafka_pids
  fi
  rm -f "$PIDFILE"
  local p
  for p in "$KAFKA_PORT" "$KAFKA_CTL_PORT"; do
    if port_open "$p"; then
      die "127.0.0.1:$p is already in use by another process (not this profile's broker); free it first"
    fi
  done

  render_props
  if [ "$PROFILE" = test ] && [ -d "$DATA" ] && [ "$KEEP_DATA" -eq 0 ]; then
    log "kafka (test): wiping ${DATA#"$ROOT"/} (every test run starts empty)"
    rm -rf "$DATA"
  fi
  mkdir -p "$DATA"
  if [ ! -f "$DATA/meta.properties" ]; then
    local uuid
    : >"$KLOG.format"
    uuid="$(java -Dlog4j.configuration="file:$LOG4J" -cp "$LIBS/*" kafka.tools.StorageTool random-uuid 2>>"$KLOG.format" 9>&- | tail -n1 | tr -d '[:space:]')"
    [[ "$uuid" =~ ^[A-Za-z0-9_-]{22}$ ]] || die "StorageTool random-uuid gave '$uuid' (see ${KLOG#"$ROOT"/}.format)"
    log "kafka ($PROFILE): formatting ${DATA#"$ROOT"/} (cluster id $uuid)"
    java -Dlog4j.configuration="file:$LOG4J" -cp "$LIBS/*" kafka.tools.StorageTool format -t "$uuid" -c "$PROPS" --ignore-formatted \
      >>"$KLOG.format" 2>&1 9>&- || { tail -n 30 "$KLOG.format" >&2; die "kafka storage format failed"; }
  fi

  if [ -f "$KLOG" ]; then mv -f "$KLOG" "$KLOG.1"; fi
  log "kafka ($PROFILE): starting broker on 127.0.0.1:$KAFKA_PORT (controller $KAFKA_CTL_PORT), log ${KLOG#"$ROOT"/}"
  # shellcheck disable=SC2086  # INFRA_KAFKA_JVM_OPTS is a word list on purpose
  # C1 only (TieredStopAtLevel=1): a broker started by `npm start` or a test run is young, and C2's compiler
  # thread was 40 % of its CPU in its first minutes, taken from the services on the same two cores. Request
  # handling is a small share of this broker's CPU, so C1's slower code costs less than C2's compiling
  # (docs/benchmarks.md, run 7).
  setsid nohup java -Xms256m -Xmx512m -XX:TieredStopAtLevel=1 \
    -Djava.awt.headless=true ${INFRA_KAFKA_JVM_OPTS:-} \
    -Dlog4j.configuration="file:$LOG4J" \
    -cp "$LIBS/*" kafka.Kafka "$PROPS" \
    </dev/null >"$KLOG" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$PIDFILE"

  local deadline=$(( $(date +%s) + KAFKA_START_TIMEOUT )) started=0
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if ! pid_alive "$pid"; then
      log "kafka ($PROFILE) exited during startup; last 30 log lines:"
      tail -n 30 "$KLOG" >&2 || true
      rm -f "$PIDFILE"
      exit 1
    fi
    if grep -q 'Kafka Server started' "$KLOG" 2>/dev/null && port_open "$KAFKA_PORT"; then
      started=1; break
    fi
    sleep 0.5
  done
  if [ "$started" -ne 1 ]; then
    log "kafka ($PROFILE) not ready within ${KAFKA_START_TIMEOUT}s; last 30 log lines:"
    tail -n 30 "$KLOG" >&2 || true
    stop_kafka_pids || true
    rm -f "$PIDFILE"
    exit 1
  fi
  log "kafka ($PROFILE) up: pid $pid, 127.0.0.1:$KAFKA_PORT"
}

ensure_mysql() {
  if mysql_ok; then
    return 0
  fi
  if port_open "$DB_PORT"; then
    die "127.0.0.1:$DB_PORT answers but 'mysql -h$DB_HOST -u$MYSQL_ROOT_USER' fails; check MYSQL_ROOT_USER / MYSQL_ROOT_PASSWORD"
  fi
  if [ ! -x "$MARIADBD" ]; then
    apt_install mariadb-server
  fi
  [ -x "$MARIADBD" ] || die "$MARIADBD missing after installing mariadb-server"
  if [ ! -d /var/lib/mysql/mysql ] && command -v mariadb-install-db >/dev/null 2>&1; then
    log "mysql: initialising /var/lib/mysql"
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql >&2 9>&-
  fi
  mkdir -p /run/mysqld
  chown mysql:mysql /run/mysqld 2>/dev/null || true
  log "mysql: starting $MARIADBD"
  start-stop-daemon --start --oknodo --background --exec "$MARIADBD" 9>&-
  touch "$MYSQL_MARKER"
  local deadline=$(( $(date +%s) + MYSQL_START_TIMEOUT ))
  until mysql_ok; do
    [ "$(date +%s)" -lt "$deadline" ] || die "mysql not answering on $DB_HOST:$DB_PORT within ${MYSQL_START_TIMEOUT}s"
    sleep 0.5
  done
  log "mysql: up on $DB_HOST:$DB_PORT (started by infra)"
}

ensure_schemas() {
  local fresh="$1" sql="" svc db app mig app_pw mig_pw key host
  for svc in "${SERVICES[@]}"; do
    db="$(db_name "$svc")"; app="$(app_user "$svc")"; mig="$(mig_user "$svc")"
    key="$(echo "$svc" | tr '[:lower:]' '[:upper:]')"
    app_pw="$(secret "${key}_DB_PASSWORD")"; mig_pw="$(secret "${key}_DB_MIGRATION_PASSWORD")"
    if [ -z "$app_pw" ] || [ -z "$mig_pw" ]; then die "missing passwords for $svc in $SECRETS"; fi
    if [ "$fresh" -eq 1 ]; then
      sql+="DROP DATABASE IF EXISTS \`$db\`;"$'\n'
    fi
    sql+="CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;"$'\n'
    for host in '%' 'localhost'; do
      sql+="CREATE USER IF NOT EXISTS '$app'@'$host' IDENTIFIED BY '$app_pw';"$'\n'
      sql+="ALTER USER '$app'@'$host' IDENTIFIED BY '$app_pw';"$'\n'
      sql+="GRANT SELECT, INSERT, UPDATE, DELETE ON \`$db\`.* TO '$app'@'$host';"$'\n'
      sql+="CREATE USER IF NOT EXISTS '$mig'@'$host' IDENTIFIED BY '$mig_pw';"$'\n'
      sql+="ALTER USER '$mig'@'$host' IDENTIFIED BY '$mig_pw';"$'\n'
      sql+="GRANT ALL PRIVILEGES ON \`$db\`.* TO '$mig'@'$host';"$'\n'
    done
  done
  mysql_root <<<"$sql" >&2 || die "creating schemas/users failed"
  local names
  names="$(for s in "${SERVICES[@]}"; do db_name "$s"; done | paste -sd' ')"
  if [ "$fresh" -eq 1 ]; then
    log "mysql: recreated empty schemas $names (+ users)"
  else
    log "mysql: schemas and users ready: $names"
  fi
}

# ---------------------------------------------------------------- down: steps
stop_kafka_pids() {
  local pid deadline alive
  local -a pids=()
  if [ -f "$PIDFILE" ]; then
    pid="$(tr -dc '0-9' <"$PIDFILE" || true)"
    pid_is_kafka_for "$pid" "$PROPS" && pids+=("$pid")
  fi
  while read -r pid; do
    [ -n "$pid" ] && [[ " ${pids[*]} " != *" $pid "* ]] && pids+=("$pid")
  done < <(kafka_pids_for "$PROPS")
  [ ${#pids[@]} -gt 0 ] || return 1
  if [ "$KILL" -eq 1 ]; then
    log "kafka ($PROFILE): killing pid ${pids[*]} (SIGKILL)"
    kill -KILL "${pids[@]}" 2>/dev/null || true
  else
    log "kafka ($PROFILE): stopping pid ${pids[*]} (SIGTERM)"
    kill -TERM "${pids[@]}" 2>/dev/null || true
  fi
  deadline=$(( $(date +%s) + KAFKA_STOP_TIMEOUT ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    alive=0
    for pid in "${pids[@]}"; do pid_alive "$pid" && alive=1; done
    [ "$alive" -eq 1 ] || break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do
    if pid_alive "$pid"; then
      log "kafka ($PROFILE): pid $pid still alive after ${KAFKA_STOP_TIMEOUT}s, SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  # anything else still running with this profile's server.properties
  while read -r pid; do
    [ -n "$pid" ] || continue
    log "kafka ($PROFILE): killing leftover pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
  done < <(kafka_pids_for "$PROPS")
  return 0
}

other_profile_kafka_running() {
  local other
  for other in dev test; do
    [ "$other" = "$PROFILE" ] && continue
    [ -n "$(kafka_pid "$CACHE/$other/server.properties" "$CACHE/$other/kafka.pid")" ] && return 0
  done
  return 1
}

# ---------------------------------------------------------------- commands
cmd_up() {
  take_lock
  local t0; t0="$(date +%s)"
  ensure_tools
  ensure_jars
  ensure_secrets
  ensure_signing_keys
  KAFKA_WAS_RUNNING=0
  ensure_kafka
  ensure_mysql
  local fresh=0
  if [ "$PROFILE" = test ] && [ "$KAFKA_WAS_RUNNING" -eq 0 ]; then fresh=1; fi
  ensure_schemas "$fresh"
  log "up ($PROFILE) done in $(( $(date +%s) - t0 ))s; 'bash scripts/infra.sh env --profile $PROFILE' prints the settings"
}

cmd_down() {
  take_lock
  local did=0
  if stop_kafka_pids; then
    log "kafka ($PROFILE) stopped"
    did=1
  else
    log "kafka ($PROFILE) not running"
  fi
  rm -f "$PIDFILE"

  if [ "$PROFILE" = test ]; then
    if [ -d "$DATA" ]; then
      rm -rf "$DATA"
      log "kafka (test): removed ${DATA#"$ROOT"/}"
      did=1
    fi
    if mysql_ok; then
      local sql="" svc host dbs present
      for svc in "${SERVICES[@]}"; do
        sql+="DROP DATABASE IF EXISTS \`$(db_name "$svc")\`;"$'\n'
        for host in '%' 'localhost'; do
          sql+="DROP USER IF EXISTS '$(app_user "$svc")'@'$host';"$'\n'
          sql+="DROP USER IF EXISTS '$(mig_user "$svc")'@'$host';"$'\n'
        done
      done
      dbs="$(for svc in "${SERVICES[@]}"; do printf "'%s'," "$(db_name "$svc")"; done)"
      present="$(mysql_root -e "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name IN (${dbs%,})" 2>/dev/null || echo 0)"
      mysql_root <<<"$sql" >&2 || die "dropping test schemas/users failed"
      if [ "${present:-0}" -gt 0 ]; then
        log "mysql: dropped test schemas and users"
        did=1
      fi
    else
      log "mysql: not answering; test schemas/users not dropped"
    fi
  fi

  if [ -f "$MYSQL_MARKER" ]; then
    if other_profile_kafka_running; then
      log "mysql: started by infra, but another profile's kafka is still running; leaving it up"
    else
      log "mysql: stopping $MARIADBD (started by infra)"
      start-stop-daemon --stop --oknodo --exec "$MARIADBD" --retry TERM/30/KILL/5 >&2 || true
      rm -f "$MYSQL_MARKER"
      did=1
    fi
  fi
  [ "$did" -eq 1 ] || log "down ($PROFILE): nothing was running"
  log "down ($PROFILE) done"
}

cmd_status() {
  local rc=0 pid
  pid="$(kafka_pid)"
  if [ -n "$pid" ] && port_open "$KAFKA_PORT"; then
    log "kafka   profile=$PROFILE pid=$pid port=127.0.0.1:$KAFKA_PORT up"
  elif [ -n "$pid" ]; then
    log "kafka   profile=$PROFILE pid=$pid port=127.0.0.1:$KAFKA_PORT down (process alive, port not answering)"
    rc=3
  else
    log "kafka   profile=$PROFILE pid=- port=127.0.0.1:$KAFKA_PORT down"
    rc=3
  fi
  if mysql_ok; then
    log "mysql   $DB_HOST:$DB_PORT answering$([ -f "$MYSQL_MARKER" ] && echo ' (started by infra)')"
    local svc db n missing=""
    for svc in "${SERVICES[@]}"; do
      db="$(db_name "$svc")"
      n="$(mysql_root -e "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name='$db'" 2>/dev/null || echo 0)"
      [ "$n" = 1 ] || missing+="$db "
    done
    if [ -z "$missing" ]; then
      log "schemas $(for s in "${SERVICES[@]}"; do db_name "$s"; done | paste -sd' ') present"
    else
      log "schemas missing: ${missing% }"
      rc=3
    fi
  else
    log "mysql   $DB_HOST:$DB_PORT not answering"
    log "schemas unknown (mysql down)"
    rc=3
  fi
  return "$rc"
}

cmd_env() {
  [ -s "$SECRETS" ] || die "no ${SECRETS#"$ROOT"/}: run 'bash scripts/infra.sh up --profile $PROFILE' first"
  local svc key v
  echo "KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
  echo "DB_HOST=$DB_HOST"
  echo "DB_PORT=$DB_PORT"
  for svc in "${SERVICES[@]}"; do
    key="$(echo "$svc" | tr '[:lower:]' '[:upper:]')"
    echo "${key}_DB_NAME=$(db_name "$svc")"
    echo "${key}_DB_USER=$(app_user "$svc")"
    v="$(secret "${key}_DB_PASSWORD")"; [ -n "$v" ] || die "${key}_DB_PASSWORD missing in $SECRETS; run up"
    echo "${key}_DB_PASSWORD=$v"
    echo "${key}_DB_MIGRATION_USER=$(mig_user "$svc")"
    v="$(secret "${key}_DB_MIGRATION_PASSWORD")"; [ -n "$v" ] || die "${key}_DB_MIGRATION_PASSWORD missing in $SECRETS; run up"
    echo "${key}_DB_MIGRATION_PASSWORD=$v"
  done
  v="$(secret INTERNAL_API_TOKEN)"; [ -n "$v" ] || die "INTERNAL_API_TOKEN missing in $SECRETS; run up"
  echo "INTERNAL_API_TOKEN=$v"
  # The auth service's OAuth secrets (issue 5); absent until the next `up` on an older .cache.
  for key in AUTH_COOKIE_KEYS AUTH_CLIENT_SECRET_KEY; do
    v="$(secret "$key")"; [ -z "$v" ] || echo "${key}=$v"
  done
  [ ! -s "$SIGNING_KEYS" ] || echo "AUTH_SIGNING_KEYS_FILE=$SIGNING_KEYS"
}

# Only the broker, data dir kept: a "broker crashed and came back" fault, not a fresh environment.
cmd_kafka_stop() {
  take_lock
  if stop_kafka_pids; then log "kafka ($PROFILE) stopped (data kept)"; else log "kafka ($PROFILE) not running"; fi
  rm -f "$PIDFILE"
}

cmd_kafka_start() {
  take_lock
  [ -f "$DATA/meta.properties" ] || die "no formatted data dir ${DATA#"$ROOT"/}; run 'bash scripts/infra.sh up --profile $PROFILE'"
  ensure_jars
  KEEP_DATA=1
  ensure_kafka
}

case "$CMD" in
  kafka-stop) cmd_kafka_stop ;;
  kafka-start) cmd_kafka_start ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
esac
