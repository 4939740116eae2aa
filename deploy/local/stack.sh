#!/usr/bin/env bash
# deploy/local/stack.sh — the real services virality needs, on loopback, without Docker.
#
#   stack.sh up [kafka|registry|redis|cluster ...]   install what is missing, start, wait until ready
#   stack.sh down [service ...]                      stop (data is kept; `down --wipe` deletes it)
#   stack.sh status                                  one line per service
#   stack.sh logs [service]                          tail a service's log
#   stack.sh env                                     print the env that points virality at this stack
#
# Kafka 4.1 (KRaft, one combined broker+controller) from Maven Central jars resolved by pom.xml here,
# Apicurio Registry 3.3 from Maven Central's prebuilt app archive (in-memory storage), Redis from
# Debian's redis-server. `up` is idempotent: what already answers is reused, downloads are cached in
# $VIRALITY_CACHE (default ~/.cache/virality) and reused, data and logs live in $VIRALITY_STATE.
# `cluster` (a 3-master Redis Cluster, for the scale-out test) is started only when named.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HOST=${VIRALITY_HOST:-127.0.0.1}
KAFKA_PORT=${VIRALITY_KAFKA_PORT:-19092}
KAFKA_CONTROLLER_PORT=${VIRALITY_KAFKA_CONTROLLER_PORT:-19093}
REGISTRY_PORT=${VIRALITY_REGISTRY_PORT:-18081}
REDIS_PORT=${VIRALITY_REDIS_PORT:-16379}
CLUSTER_PORTS=${VIRALITY_REDIS_CLUSTER_PORTS:-17001 17002 17003}
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/pom.xml")
APICURIO_VERSION=${VIRALITY_APICURIO_VERSION:-3.3.3}
CACHE=${VIRALITY_CACHE:-$HOME/.cache/virality}
STATE=${VIRALITY_STATE:-$CACHE/state}
KAFKA_HEAP=${VIRALITY_KAFKA_HEAP:--Xms256m -Xmx768m}
REGISTRY_HEAP=${VIRALITY_REGISTRY_HEAP:--Xms128m -Xmx512m}
READY_TIMEOUT=${VIRALITY_READY_TIMEOUT:-180}
# optional second Kafka listener (the fault tests put a TCP proxy in front of it): clients that bootstrap
# through it are told to reach the broker at the advertised port, e.g. the proxy's
KAFKA_PROXIED_PORT=${VIRALITY_KAFKA_PROXIED_PORT:-}
KAFKA_PROXIED_ADVERTISED_PORT=${VIRALITY_KAFKA_PROXIED_ADVERTISED_PORT:-$KAFKA_PROXIED_PORT}

case "$HOST" in
  127.*|localhost|::1) ;;
  *) echo "stack.sh: VIRALITY_HOST=$HOST is not a loopback address; this stack only binds to loopback" >&2; exit 2 ;;
esac

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_for NAME LOGFILE TIMEOUT CHECK...: poll CHECK until it succeeds, or fail naming the service and its log
wait_for() {
  local name=$1 logfile=$2 timeout=$3; shift 3
  local start=$SECONDS pidfile="${WAIT_PIDFILE:-}"
  until "$@"; do
    if [ -n "$pidfile" ] && ! pid_alive "$pidfile"; then
      log "last lines of $logfile:"; tail -n 20 "$logfile" >&2 || true
      die "$name exited while starting (log: $logfile)"
    fi
    if (( SECONDS - start > timeout )); then
      log "last lines of $logfile:"; tail -n 20 "$logfile" >&2 || true
      die "$name did not become ready within ${timeout}s (log: $logfile). Raise VIRALITY_READY_TIMEOUT or see the README's troubleshooting."
    fi
    sleep 1
  done
  log "$name ready on $HOST after $(( SECONDS - start ))s"
}

need_java() {
  command -v java >/dev/null || die "java not found: install a JDK 17+ (Debian: apt-get install openjdk-17-jre-headless)"
}
# Apicurio Registry 3.3 is compiled for Java 21: use $VIRALITY_REGISTRY_JAVA, else the newest JDK >= 21
# found under /usr/lib/jvm or on PATH.
registry_java() {
  if [ -n "${VIRALITY_REGISTRY_JAVA:-}" ]; then echo "$VIRALITY_REGISTRY_JAVA"; return 0; fi
  local candidate major
  for candidate in $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -rV) "$(command -v java || true)"; do
    [ -x "$candidate" ] || continue
    major=$(sed -n '/version "/{s/.*version "\([0-9]*\).*/\1/p;q;}' <<<"$("$candidate" -version 2>&1 || true)")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then echo "$candidate"; return 0; fi
  done
  die "Apicurio Registry $APICURIO_VERSION needs Java 21 or newer and none was found (looked in /usr/lib/jvm and PATH); install one or set VIRALITY_REGISTRY_JAVA"
}

need_maven() {
  command -v mvn >/dev/null || die "mvn not found: install Maven (Debian: apt-get install maven); it fetches the Kafka and Apicurio jars from Maven Central"
}

# ---------------------------------------------------------------- Kafka
kafka_libs() { echo "$CACHE/kafka-$KAFKA_VERSION/libs"; }

install_kafka() {
  local libs; libs=$(kafka_libs)
  [ -f "$libs/.complete" ] && return 0
  need_maven
  log "resolving Kafka $KAFKA_VERSION and its log4j2 jars from Maven Central into $libs"
  mkdir -p "$libs"
  mvn -q -B -Dstyle.color=never -f "$HERE/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs" \
    || die "Maven could not resolve the Kafka jars (see the output above)"
  touch "$libs/.complete"
}

kafka_ready() {
  port_open "$KAFKA_PORT" && grep -q "Kafka Server started" "$STATE/kafka/kafka.log" 2>/dev/null
}

up_kafka() {
  local dir="$STATE/kafka"
  if pid_alive "$dir/pid" && kafka_ready; then log "kafka already running on $HOST:$KAFKA_PORT"; return 0; fi
  if port_open "$KAFKA_PORT"; then die "port $KAFKA_PORT on $HOST is taken by another program; set VIRALITY_KAFKA_PORT"; fi
  need_java; install_kafka
  mkdir -p "$dir/data"
  local listeners="PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT"
  local advertised="PLAINTEXT://$HOST:$KAFKA_PORT" protocols="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
  if [ -n "$KAFKA_PROXIED_PORT" ]; then
    listeners="$listeners,PROXIED://$HOST:$KAFKA_PROXIED_PORT"
    advertised="$advertised,PROXIED://$HOST:$KAFKA_PROXIED_ADVERTISED_PORT"
    protocols="$protocols,PROXIED:PLAINTEXT"
  fi
  cat > "$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=$listeners
advertised.listeners=$advertised
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=$protocols
log.dirs=$dir/data
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.retention.hours=-1
EOF
  cat > "$dir/log4j2.properties" <<EOF
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.kafkaclients.name = org.apache.kafka
logger.kafkaclients.level = WARN
EOF
  local cp; cp="$(kafka_libs)/*"
  if [ ! -f "$dir/data/meta.properties" ]; then
    log "formatting Kafka storage in $dir/data"
    java -cp "$cp" -Dlog4j2.configurationFile="$dir/log4j2.properties" kafka.tools.StorageTool format \
      -t "virality-local-cluster-0001" -c "$dir/server.properties" --standalone >"$dir/format.log" 2>&1 \
      || java -cp "$cp" -Dlog4j2.configurationFile="$dir/log4j2.properties" kafka.tools.StorageTool format \
        -t "virality-local-cluster-0001" -c "$dir/server.properties" >>"$dir/format.log" 2>&1 \
      || { cat "$dir/format.log" >&2; die "Kafka storage format failed (log: $dir/format.log)"; }
  fi
  log "starting Kafka $KAFKA_VERSION on $HOST:$KAFKA_PORT (log: $dir/kafka.log)"
  : > "$dir/kafka.log"
  # shellcheck disable=SC2086
  nohup java $KAFKA_HEAP -XX:+UseG1GC -XX:TieredStopAtLevel=1 -Xss512k -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$dir/log4j2.properties" -cp "$cp" kafka.Kafka "$dir/server.properties" \
    >>"$dir/kafka.log" 2>&1 < /dev/null &
  echo $! > "$dir/pid"
  WAIT_PIDFILE="$dir/pid" wait_for kafka "$dir/kafka.log" "$READY_TIMEOUT" kafka_ready
}

# ---------------------------------------------------------------- Apicurio Registry
registry_home() { echo "$CACHE/apicurio-registry-$APICURIO_VERSION"; }

install_registry() {
  local home; home=$(registry_home)
  [ -f "$home/.complete" ] && return 0
  need_maven
  log "fetching Apicurio Registry $APICURIO_VERSION (prebuilt app archive, ~160 MB) from Maven Central"
  local tmp="$CACHE/download-apicurio"
  rm -rf "$tmp"; mkdir -p "$tmp" "$home"
  mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
    -DoutputDirectory="$tmp" || die "Maven could not fetch io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all"
  tar xzf "$tmp"/apicurio-registry-app-*.tar.gz -C "$home"
  rm -rf "$tmp"
  [ -n "$(find "$home" -name quarkus-run.jar -print -quit)" ] || die "no quarkus-run.jar in the Apicurio archive under $home"
  touch "$home/.complete"
}

registry_ready() {
  curl -fsS "http://$HOST:$REGISTRY_PORT/apis/ccompat/v7/subjects" >/dev/null 2>&1
}

up_registry() {
  local dir="$STATE/registry"
  if pid_alive "$dir/pid" && registry_ready; then log "registry already running on $HOST:$REGISTRY_PORT"; return 0; fi
  if port_open "$REGISTRY_PORT"; then die "port $REGISTRY_PORT on $HOST is taken by another program; set VIRALITY_REGISTRY_PORT"; fi
  install_registry
  local java; java=$(registry_java)
  mkdir -p "$dir"
  local jar; jar=$(find "$(registry_home)" -name quarkus-run.jar -print -quit)
  log "starting Apicurio Registry $APICURIO_VERSION on $HOST:$REGISTRY_PORT (log: $dir/registry.log)"
  : > "$dir/registry.log"
  # shellcheck disable=SC2086
  nohup "$java" $REGISTRY_HEAP -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dquarkus.http.host="$HOST" -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.enabled=false \
    -Dquarkus.log.level=INFO -Dquarkus.console.color=false \
    -jar "$jar" >>"$dir/registry.log" 2>&1 < /dev/null &
  echo $! > "$dir/pid"
  WAIT_PIDFILE="$dir/pid" wait_for registry "$dir/registry.log" "$READY_TIMEOUT" registry_ready
}

# ---------------------------------------------------------------- Redis
need_redis() {
  command -v redis-server >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing redis-server from Debian's packages"
    (apt-get install -y -qq redis-server >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; }) \
      || die "apt-get could not install redis-server"
    # Debian's package starts its own service on 6379; ours is separate, so stop that one
    (command -v service >/dev/null && service redis-server stop >/dev/null 2>&1) || true
  else
    die "redis-server not found: install it (Debian: sudo apt-get install redis-server)"
  fi
}

# Output captured, not piped into `grep -q`: under pipefail the pipeline fails if grep exits while the
# writer is still writing.
redis_ready() { [[ "$(redis-cli -h "$HOST" -p "$1" ping 2>/dev/null || true)" == *PONG* ]]; }

start_redis() { # PORT DIR EXTRA_CONF
  local port=$1 dir=$2 extra=$3
  mkdir -p "$dir"
  cat > "$dir/redis.conf" <<EOF
bind $HOST
port $port
protected-mode yes
daemonize no
dir $dir
pidfile $dir/redis.pid
logfile $dir/redis.log
save ""
appendonly yes
appendfsync everysec
notify-keyspace-events ""
# a video hash (d = 512 float32 embedding + a few small fields) stays a compact listpack instead of a
# hashtable: about 3.2 kB instead of 3.9 kB per cached video (bench/scorer-load.ts)
hash-max-listpack-value 4096
$extra
EOF
  : > "$dir/redis.log"
  nohup redis-server "$dir/redis.conf" >/dev/null 2>&1 < /dev/null &
  echo $! > "$dir/pid"
}

up_redis() {
  local dir="$STATE/redis"
  if redis_ready "$REDIS_PORT"; then log "redis already running on $HOST:$REDIS_PORT"; return 0; fi
  if port_open "$REDIS_PORT"; then die "port $REDIS_PORT on $HOST is taken by another program; set VIRALITY_REDIS_PORT"; fi
  need_redis
  log "starting redis on $HOST:$REDIS_PORT (log: $dir/redis.log)"
  start_redis "$REDIS_PORT" "$dir" ""
  wait_for redis "$dir/redis.log" 30 redis_ready "$REDIS_PORT"
}

up_cluster() {
  need_redis
  local started=0 port
  for port in $CLUSTER_PORTS; do
    if redis_ready "$port"; then continue; fi
    port_open "$port" && die "port $port on $HOST is taken by another program; set VIRALITY_REDIS_CLUSTER_PORTS"
    start_redis "$port" "$STATE/cluster-$port" "cluster-enabled yes
cluster-config-file $STATE/cluster-$port/nodes.conf
cluster-node-timeout 5000"
    started=1
  done
  for port in $CLUSTER_PORTS; do wait_for "redis cluster node $port" "$STATE/cluster-$port/redis.log" 30 redis_ready "$port"; done
  local first; first=$(echo "$CLUSTER_PORTS" | awk '{print $1}')
  # nodes restarted from their nodes.conf rejoin their cluster by themselves: give them time first
  local known; known=$(redis-cli -h "$HOST" -p "$first" cluster info 2>/dev/null | sed -n 's/^cluster_known_nodes:\([0-9]*\).*/\1/p')
  if [ "${known:-1}" -le 1 ]; then
    local nodes="" p
    for p in $CLUSTER_PORTS; do nodes="$nodes $HOST:$p"; done
    log "creating a 3-master Redis Cluster on$nodes"
    # shellcheck disable=SC2086
    redis-cli --cluster create $nodes --cluster-replicas 0 --cluster-yes >"$STATE/cluster-create.log" 2>&1 \
      || { cat "$STATE/cluster-create.log" >&2; die "redis cluster create failed"; }
  fi
  local start=$SECONDS
  until [[ "$(redis-cli -h "$HOST" -p "$first" cluster info 2>/dev/null || true)" == *cluster_state:ok* ]]; do
    (( SECONDS - start > 30 )) && die "redis cluster did not reach cluster_state:ok (see $STATE/cluster-create.log and $STATE/cluster-*/redis.log)"
    sleep 1
  done
  [ "$started" = 1 ] || log "redis cluster already running on $CLUSTER_PORTS"
  log "redis cluster ready"
}

# ---------------------------------------------------------------- down / status / logs
stop_pidfile() { # NAME PIDFILE
  local name=$1 pidfile=$2
  if pid_alive "$pidfile"; then
    local pid; pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    log "stopped $name"
  fi
  rm -f "$pidfile"
}

down() {
  local wipe=0 services=()
  for a in "$@"; do if [ "$a" = --wipe ]; then wipe=1; else services+=("$a"); fi; done
  [ ${#services[@]} -gt 0 ] || services=(registry kafka redis cluster)
  for s in "${services[@]}"; do
    case "$s" in
      kafka) stop_pidfile kafka "$STATE/kafka/pid"; [ $wipe = 1 ] && rm -rf "$STATE/kafka" ;;
      registry) stop_pidfile registry "$STATE/registry/pid"; [ $wipe = 1 ] && rm -rf "$STATE/registry" ;;
      redis) stop_pidfile redis "$STATE/redis/pid"; [ $wipe = 1 ] && rm -rf "$STATE/redis" ;;
      cluster)
        for p in $CLUSTER_PORTS; do
          stop_pidfile "redis cluster node $p" "$STATE/cluster-$p/pid"
          [ $wipe = 1 ] && rm -rf "$STATE/cluster-$p"
        done ;;
      *) die "unknown service '$s' (kafka, registry, redis, cluster)" ;;
    esac
  done
  return 0
}

status() {
  local s
  if kafka_ready; then s=up; else s=down; fi; echo "kafka     $s  $HOST:$KAFKA_PORT  log $STATE/kafka/kafka.log"
  if registry_ready; then s=up; else s=down; fi; echo "registry  $s  http://$HOST:$REGISTRY_PORT/apis/ccompat/v7  log $STATE/registry/registry.log"
  if redis_ready "$REDIS_PORT"; then s=up; else s=down; fi; echo "redis     $s  redis://$HOST:$REDIS_PORT  log $STATE/redis/redis.log"
  local first; first=$(echo "$CLUSTER_PORTS" | awk '{print $1}')
  if redis_ready "$first"; then s=up; else s=down; fi; echo "cluster   $s  $CLUSTER_PORTS"
}

logs() {
  case "${1:-all}" in
    kafka) tail -n 100 -f "$STATE/kafka/kafka.log" ;;
    registry) tail -n 100 -f "$STATE/registry/registry.log" ;;
    redis) tail -n 100 -f "$STATE/redis/redis.log" ;;
    all) tail -n 30 "$STATE"/kafka/kafka.log "$STATE"/registry/registry.log "$STATE"/redis/redis.log 2>/dev/null ;;
    *) die "unknown service '$1' (kafka, registry, redis)" ;;
  esac
}

print_env() {
  echo "VIRALITY_KAFKA_BROKERS=$HOST:$KAFKA_PORT"
  echo "VIRALITY_REGISTRY_URL=http://$HOST:$REGISTRY_PORT/apis/ccompat/v7"
  echo "VIRALITY_REDIS_URL=redis://$HOST:$REDIS_PORT"
  local nodes="" p
  for p in $CLUSTER_PORTS; do nodes="${nodes:+$nodes,}$HOST:$p"; done
  # commented out: set, it switches every client to the Redis Cluster (started only by `up cluster`)
  echo "# VIRALITY_REDIS_CLUSTER_NODES=$nodes"
}

cmd=${1:-status}; shift || true
case "$cmd" in
  up)
    mkdir -p "$CACHE" "$STATE"
    [ $# -gt 0 ] || set -- redis kafka registry
    for s in "$@"; do
      start=$SECONDS
      case "$s" in
        kafka) up_kafka ;; registry) up_registry ;; redis) up_redis ;; cluster) up_cluster ;;
        *) die "unknown service '$s' (kafka, registry, redis, cluster)" ;;
      esac
      echo "[stack] $s: up in $(( SECONDS - start ))s" >&2
    done ;;
  down) down "$@" ;;
  status) status ;;
  logs) logs "$@" ;;
  env) print_env ;;
  *) die "unknown command '$cmd' (up, down, status, logs, env)" ;;
esac
