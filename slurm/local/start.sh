#!/usr/bin/env bash
# Start a private single-node SLURM cluster with accounting on localhost:
#   munged -> MariaDB -> slurmdbd -> slurmctld -> slurmd -N localhost
# Everything (configs, keys, sockets, PID files, logs, state, database) lives
# under RUNDIR; every daemon binds to 127.0.0.1 only. When the cluster is
# ready (node idle in sinfo, sacct answering) RUNDIR/env.sh is written:
#   . RUNDIR/env.sh      # exports SLURM_CONF, then sbatch/sinfo/sacct work
# Stop it with slurm/local/stop.sh RUNDIR.
#
# Usage: slurm/local/start.sh RUNDIR
#
# Environment (all optional):
#   SLURM_LOCAL_MYSQL_PORT   MariaDB TCP port              (default 3306)
#   SLURM_LOCAL_CTLD_PORT    slurmctld port                (default 6817)
#   SLURM_LOCAL_SLURMD_PORT  slurmd port                   (default 6818)
#   SLURM_LOCAL_DBD_PORT     slurmdbd port                 (default 6819)
#   SLURM_LOCAL_CPUS         CPUs given to the node        (default: nproc)
#   SLURM_LOCAL_MEM_MB       RealMemory of the node, MB    (default: 90% of MemTotal)
#   SLURM_LOCAL_TIMEOUT      seconds to wait per daemon    (default 60)
#   SLURM_LOCAL_KEEP_ON_FAIL =1: leave started daemons running when start fails
#                            (default: stop them with stop.sh)
#
# Needs root and the packages from slurm/local/install.sh.
set -euo pipefail

if [ "$#" -ne 1 ]; then
    echo "usage: $0 RUNDIR" >&2
    exit 2
fi

HERE="$(cd "$(dirname "$0")" && pwd)"
MYSQL_PORT="${SLURM_LOCAL_MYSQL_PORT:-3306}"
CTLD_PORT="${SLURM_LOCAL_CTLD_PORT:-6817}"
SLURMD_PORT="${SLURM_LOCAL_SLURMD_PORT:-6818}"
DBD_PORT="${SLURM_LOCAL_DBD_PORT:-6819}"
TIMEOUT="${SLURM_LOCAL_TIMEOUT:-60}"
T0="$(date +%s.%N)"

log() { echo "start.sh [$(date +%H:%M:%S)]: $*"; }
die() { echo "start.sh: ERROR: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (the daemons run as root here)"
for bin in munged munge unmunge mariadbd mariadb-install-db mariadb mariadb-admin \
           slurmdbd slurmctld slurmd sinfo sacct scontrol sacctmgr; do
    command -v "$bin" >/dev/null 2>&1 \
        || [ -x "/usr/sbin/$bin" ] \
        || die "'$bin' not found: run slurm/local/install.sh first"
done
export PATH="$PATH:/usr/sbin:/sbin"

# ---------------------------------------------------------------- layout ----
mkdir -p "$1"
R="$(cd "$1" && pwd)"          # absolute RUNDIR; every path below is under it
ETC="$R/etc"                   # slurm.conf, slurmdbd.conf (600), db password
MUNGE_SOCK_DIR="$R/munge"      # munged socket: a 755 directory of its own
MUNGE_KEY_DIR="$R/munge-key"   # munge key + PRNG seed: a 700 directory
RUN="$R/run"                   # PID files (stop.sh reads them)
LOG="$R/log"                   # every daemon's log
STATE="$R/state"               # slurmctld StateSaveLocation
SPOOL="$R/spool"               # slurmd SlurmdSpoolDir
MYSQL_DIR="$R/mysql"           # MariaDB datadir
MUNGE_SOCK="$MUNGE_SOCK_DIR/munge.socket.2"
MYSQL_SOCK="$RUN/mysqld.sock"

# A RUNDIR whose daemons still run must be stopped first; a stopped one is
# reused (configs rewritten, key/database/state kept).
for pidfile in "$RUN"/*.pid; do
    [ -e "$pidfile" ] || continue
    pid="$(tr -dc '0-9' < "$pidfile" 2>/dev/null || true)"
    # Alive and still that daemon (PID file names are the process names)?
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null \
            && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$(basename "$pidfile" .pid)" ]; then
        die "$(basename "$pidfile" .pid) (pid $pid) from $R is still running: run slurm/local/stop.sh $R first"
    fi
    rm -f "$pidfile"   # stale
done

mkdir -p "$ETC" "$MUNGE_SOCK_DIR" "$MUNGE_KEY_DIR" "$RUN" "$LOG" "$STATE" "$SPOOL"
# munged refuses group/world-writable directories on its paths.
chmod 755 "$R" "$ETC" "$MUNGE_SOCK_DIR" "$RUN" "$LOG" "$STATE" "$SPOOL"
chmod 700 "$MUNGE_KEY_DIR"
rm -f "$R/env.sh" "$MUNGE_SOCK" "$MYSQL_SOCK"
# slurmctld keeps DOWN/DRAINED node states across restarts (e.g. "Low RealMemory"
# after a start with a bad config): take the node's state from slurm.conf
# afresh. Job state (and the job id counter) is kept.
rm -f "$STATE/node_state" "$STATE/node_state.old"

# The ports must be free (another cluster, a system MariaDB, ...).
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for spec in "MariaDB:$MYSQL_PORT:SLURM_LOCAL_MYSQL_PORT" "slurmctld:$CTLD_PORT:SLURM_LOCAL_CTLD_PORT" \
            "slurmd:$SLURMD_PORT:SLURM_LOCAL_SLURMD_PORT" "slurmdbd:$DBD_PORT:SLURM_LOCAL_DBD_PORT"; do
    IFS=: read -r what port var <<<"$spec"
    if port_busy "$port"; then
        die "port $port (for $what) is already in use on 127.0.0.1: stop whatever holds it or set $var"
    fi
done

# ------------------------------------------------------- failure handling ----
STARTED=0
on_exit() {
    rc=$?
    if [ "$rc" -ne 0 ] && [ "$STARTED" -eq 1 ]; then
        if [ "${SLURM_LOCAL_KEEP_ON_FAIL:-0}" = 1 ]; then
            echo "start.sh: start failed; daemons left running (SLURM_LOCAL_KEEP_ON_FAIL=1), logs in $LOG" >&2
        else
            echo "start.sh: start failed; stopping what was started (logs kept in $LOG)" >&2
            "$HERE/stop.sh" "$R" >&2 || true
        fi
    fi
}
trap on_exit EXIT

# Print the tail of a log and fail.
fail_with_log() {  # fail_with_log MESSAGE LOGFILE...
    local msg="$1"; shift
    echo "start.sh: ERROR: $msg" >&2
    local f
    for f in "$@"; do
        echo "----- last lines of $f -----" >&2
        tail -n 40 "$f" >&2 2>/dev/null || echo "(no log)" >&2
    done
    if [ -n "${DIAG:-}" ]; then   # extra diagnostics set by the current step
        echo "----- $DIAG -----" >&2
        $DIAG >&2 2>&1 || true
    fi
    exit 1
}

# wait_for DESCRIPTION LOGFILE COMMAND...: retry COMMAND until it succeeds or
# TIMEOUT seconds pass; on timeout print the log tail and fail.
wait_for() {
    local what="$1" logfile="$2"; shift 2
    local deadline=$(( $(date +%s) + TIMEOUT ))
    until "$@" >/dev/null 2>&1; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            fail_with_log "$what did not come up within ${TIMEOUT}s" "$logfile"
        fi
        sleep 0.3
    done
    log "$what is up"
}

# Start a daemon detached from this shell (own session, no inherited stdio,
# so a CI step capturing our output does not hang on it).
spawn() {  # spawn LOGFILE COMMAND...
    local logfile="$1"; shift
    setsid "$@" </dev/null >>"$logfile" 2>&1 &
}

# --------------------------------------------------------------- configs ----
CPUS="${SLURM_LOCAL_CPUS:-$(nproc)}"
if [ -z "${SLURM_LOCAL_MEM_MB:-}" ]; then
    # slurmd drains a node configured with more memory than it sees: leave headroom.
    mem_kb="$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
    MEM_MB=$(( mem_kb * 9 / 10 / 1024 ))
else
    MEM_MB="$SLURM_LOCAL_MEM_MB"
fi

# Random munge key and database password, created once per RUNDIR.
if [ ! -s "$MUNGE_KEY_DIR/munge.key" ]; then
    dd if=/dev/urandom of="$MUNGE_KEY_DIR/munge.key" bs=1024 count=1 status=none
fi
chmod 400 "$MUNGE_KEY_DIR/munge.key"
if [ ! -s "$ETC/dbpass" ]; then
    (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$ETC/dbpass")
fi
chmod 600 "$ETC/dbpass"
DBPASS="$(cat "$ETC/dbpass")"

cat > "$ETC/slurm.conf" <<EOF
# Generated by slurm/local/start.sh for $R
ClusterName=repro
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCK
# Bind to loopback only (no INADDR_ANY listeners).
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
StateSaveLocation=$STATE
SlurmdSpoolDir=$SPOOL
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$LOG/slurmctld.log
SlurmdLogFile=$LOG/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=$DBD_PORT
# With slurmdbd, slurmctld ignores AuthInfo for the dbd link: the munge socket goes here.
AccountingStoragePass=$MUNGE_SOCK
JobAcctGatherType=jobacct_gather/linux
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF

(umask 077; cat > "$ETC/slurmdbd.conf" <<EOF
# Generated by slurm/local/start.sh for $R (holds a password: mode 600)
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCK
CommunicationParameters=NoInAddrAny
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=$DBD_PORT
SlurmUser=root
PidFile=$RUN/slurmdbd.pid
LogFile=$LOG/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$MYSQL_PORT
StorageUser=slurm
StoragePass=$DBPASS
StorageLoc=slurm_acct_db
EOF
)
chmod 600 "$ETC/slurmdbd.conf"   # slurmdbd refuses a readable one

# Every Slurm command and daemon below finds its config (and slurmdbd.conf,
# in the same directory) through SLURM_CONF.
export SLURM_CONF="$ETC/slurm.conf"

# ---------------------------------------------------------------- munged ----
STARTED=1
log "starting munged"
spawn "$LOG/munged.out" munged \
    --socket="$MUNGE_SOCK" \
    --key-file="$MUNGE_KEY_DIR/munge.key" \
    --pid-file="$RUN/munged.pid" \
    --log-file="$LOG/munged.log" \
    --seed-file="$MUNGE_KEY_DIR/munged.seed"
munge_ok() { munge -n -S "$MUNGE_SOCK" | unmunge -S "$MUNGE_SOCK"; }
wait_for munged "$LOG/munged.log" munge_ok

# --------------------------------------------------------------- MariaDB ----
MYSQL_OPTS=(
    --no-defaults                 # ignore /etc/mysql: a private instance
    --user=root
    --datadir="$MYSQL_DIR"
)
if [ ! -d "$MYSQL_DIR/mysql" ]; then
    log "initialising MariaDB datadir"
    mkdir -p "$MYSQL_DIR"
    if ! mariadb-install-db "${MYSQL_OPTS[@]}" --auth-root-authentication-method=socket \
            --skip-test-db >"$LOG/mariadb-install-db.log" 2>&1; then
        rm -rf "$MYSQL_DIR"   # so that the next start tries again from scratch
        fail_with_log "mariadb-install-db failed" "$LOG/mariadb-install-db.log"
    fi
fi
log "starting MariaDB on 127.0.0.1:$MYSQL_PORT"
spawn "$LOG/mariadb.out" mariadbd "${MYSQL_OPTS[@]}" \
    --bind-address=127.0.0.1 \
    --port="$MYSQL_PORT" \
    --socket="$MYSQL_SOCK" \
    --pid-file="$RUN/mariadbd.pid" \
    --log-error="$LOG/mariadb.log" \
    --skip-name-resolve \
    --innodb-lock-wait-timeout=900
wait_for MariaDB "$LOG/mariadb.log" mariadb-admin --no-defaults --socket="$MYSQL_SOCK" ping

# The slurm database user (root logs in through the unix socket). Idempotent.
mariadb --no-defaults --socket="$MYSQL_SOCK" -u root <<EOF
CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '$DBPASS';
CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$DBPASS';
ALTER USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$DBPASS';
ALTER USER 'slurm'@'localhost' IDENTIFIED BY '$DBPASS';
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';
FLUSH PRIVILEGES;
EOF

# -------------------------------------------------------------- slurmdbd ----
log "starting slurmdbd"
spawn "$LOG/slurmdbd.out" slurmdbd
dbd_ok() { [ -s "$RUN/slurmdbd.pid" ] && sacctmgr -n -i show cluster format=cluster; }
wait_for slurmdbd "$LOG/slurmdbd.log" dbd_ok

# ------------------------------------------------------------- slurmctld ----
log "starting slurmctld"
spawn "$LOG/slurmctld.out" slurmctld
wait_for slurmctld "$LOG/slurmctld.log" scontrol ping

# ---------------------------------------------------------------- slurmd ----
# The host name may not resolve as a node name: name the node explicitly.
log "starting slurmd"
spawn "$LOG/slurmd.out" slurmd -N localhost
node_idle() { sinfo -h -n localhost -o '%t' | grep -qx 'idle'; }
DIAG="sinfo -N -o %N|%T|%E"   # on timeout, show the node state and its reason
wait_for "slurmd (node idle)" "$LOG/slurmd.log" node_idle
DIAG=""

# ------------------------------------------------------ accounting ready ----
# slurmctld registers the cluster with slurmdbd by itself; wait for it so that
# sacct knows about jobs from the first one on.
cluster_registered() {
    sacctmgr -n -P show cluster format=cluster | grep -qx repro \
        && sacct -n -X -S now-1hours >/dev/null
}
wait_for "accounting (cluster registered, sacct answering)" "$LOG/slurmctld.log" cluster_registered

# ---------------------------------------------------------------- env.sh ----
cat > "$R/env.sh" <<EOF
# Generated by slurm/local/start.sh: source it to use the cluster in $R
export SLURM_CONF="$ETC/slurm.conf"
EOF

T1="$(date +%s.%N)"
log "cluster ready in $(awk -v a="$T0" -v b="$T1" 'BEGIN {printf "%.1f", b - a}') s: . $R/env.sh"
sinfo
