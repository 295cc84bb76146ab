#!/usr/bin/env bash
# Stop the local SLURM cluster started by slurm/local/start.sh RUNDIR.
# Each daemon is stopped through its PID file under RUNDIR/run (never by
# process name: other clusters or tests may be running on this machine), in
# the reverse order of start: slurmd, slurmctld, slurmdbd, MariaDB, munged.
# SIGTERM first, SIGKILL after a grace period. Files under RUNDIR are kept
# (logs, database, state); remove RUNDIR to start from scratch.
#
# Usage: slurm/local/stop.sh RUNDIR
#
# Environment: SLURM_LOCAL_STOP_TIMEOUT  seconds to wait per daemon (default 30)
set -euo pipefail

if [ "$#" -ne 1 ]; then
    echo "usage: $0 RUNDIR" >&2
    exit 2
fi
if [ ! -d "$1" ]; then
    echo "stop.sh: $1 does not exist: nothing to stop"
    exit 0
fi
R="$(cd "$1" && pwd)"
RUN="$R/run"
GRACE="${SLURM_LOCAL_STOP_TIMEOUT:-30}"

# Is PID alive and still the daemon we started (not a recycled PID)?
is_ours() {  # is_ours PID NAME
    local pid="$1" name="$2" comm
    kill -0 "$pid" 2>/dev/null || return 1
    comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
    [ "$comm" = "$name" ]
}

status=0
stop_one() {  # stop_one PIDFILE_BASENAME PROCESS_NAME
    local pidfile="$RUN/$1.pid" name="$2" pid waited
    if [ ! -s "$pidfile" ]; then
        return 0
    fi
    pid="$(tr -dc '0-9' < "$pidfile")"
    if [ -z "$pid" ] || ! is_ours "$pid" "$name"; then
        echo "stop.sh: $name: not running (stale $pidfile)"
        rm -f "$pidfile"
        return 0
    fi
    echo "stop.sh: stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    waited=0
    while is_ours "$pid" "$name"; do
        if [ "$waited" -ge $(( GRACE * 10 )) ]; then
            echo "stop.sh: $name (pid $pid) ignored SIGTERM for ${GRACE}s: SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.5
            if is_ours "$pid" "$name"; then
                echo "stop.sh: ERROR: $name (pid $pid) is still alive" >&2
                status=1
                return 0
            fi
            break
        fi
        sleep 0.1
        waited=$(( waited + 1 ))
    done
    # Daemons normally remove their PID file; make sure it is gone.
    rm -f "$pidfile"
}

# Cancel jobs still queued or running in this cluster first, so that no job
# step (slurmstepd + the job's processes) outlives slurmd. Best effort.
if [ -s "$RUN/slurmctld.pid" ] && is_ours "$(tr -dc '0-9' < "$RUN/slurmctld.pid")" slurmctld \
        && [ -f "$R/etc/slurm.conf" ]; then
    export SLURM_CONF="$R/etc/slurm.conf"
    jobs="$(squeue -h -o '%A' 2>/dev/null || true)"
    if [ -n "$jobs" ]; then
        echo "stop.sh: cancelling jobs: $(tr "\n" " " <<<"$jobs")"
        # shellcheck disable=SC2086
        scancel $jobs 2>/dev/null || true
        for _ in $(seq 1 100); do   # up to 10 s
            [ -z "$(squeue -h -o '%A' 2>/dev/null || true)" ] && break
            sleep 0.1
        done
    fi
fi

stop_one slurmd    slurmd
stop_one slurmctld slurmctld
stop_one slurmdbd  slurmdbd
stop_one mariadbd  mariadbd
stop_one munged    munged
rm -f "$R/env.sh"   # the cluster is gone: env.sh no longer points at anything

if [ "$status" -eq 0 ]; then
    echo "stop.sh: all daemons of $R stopped"
fi
exit "$status"
