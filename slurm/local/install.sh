#!/usr/bin/env bash
# Install the Debian packages needed for a local single-node SLURM cluster with
# accounting (see slurm/local/README.md). Idempotent: does nothing when every
# package is already installed. Must run as root (or pass through sudo).
#
# Usage: slurm/local/install.sh
set -euo pipefail

# slurm-wlm: slurmctld + slurmd + client tools (sbatch, sinfo, sacct, ...)
# munge:     authentication daemon used by every Slurm component
# slurmdbd:  accounting daemon (without it sacct answers nothing and submitit
#            cannot tell that a killed job failed)
# mariadb-server: storage behind slurmdbd
PACKAGES=(slurm-wlm munge slurmdbd mariadb-server)

# Which of the packages are not installed yet?
missing=()
for pkg in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    if [ "$status" != "install ok installed" ]; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install.sh: all packages already installed: ${PACKAGES[*]}"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: need root to install: ${missing[*]}" >&2
    exit 1
fi

# Keep the packages' maintainer scripts from starting system-wide services
# (munge, mariadb, slurm*) on their default ports: start.sh runs private
# instances instead. Docker images usually ship a policy-rc.d that does this
# already; add a temporary one only when there is none.
POLICY=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$POLICY"
    chmod 755 "$POLICY"
    added_policy=1
fi
cleanup() {
    if [ "$added_policy" -eq 1 ]; then
        rm -f "$POLICY"
    fi
}
trap cleanup EXIT

echo "install.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when there are none (fresh container); set
# APT_UPDATE=1 to force a refresh.
if [ "${APT_UPDATE:-0}" = 1 ] || ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then
    apt-get update
fi
apt-get install -y --no-install-recommends "${PACKAGES[@]}"
echo "install.sh: done"
