"""Test configuration: no network connection leaves this process (loopback and Unix only)."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

RUNDIR_ENV = "REPRODUCE_SLURM_RUNDIR"

_ALLOWED_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check(sock: socket.socket, address: object) -> None:
    if sock.family == socket.AF_UNIX:
        return
    host = address[0] if isinstance(address, tuple) else address
    if host not in _ALLOWED_HOSTS:
        raise RuntimeError(f"tests may not open network connections (tried {address!r})")


def _guarded_connect(self: socket.socket, address: object) -> None:
    _check(self, address)
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _check(self, address)
    return _real_connect_ex(self, address)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


@pytest.fixture
def store_dir(tmp_path):
    """A fresh run store folder."""
    return tmp_path / "store"


def _read_env_sh(path: Path) -> dict[str, str]:
    """The ``export NAME=VALUE`` lines of start.sh's env.sh, as a dict."""
    env: dict[str, str] = {}
    for line in path.read_text().splitlines():
        words = shlex.split(line, comments=True)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            name, value = words[1].split("=", 1)
            env[name] = value
    return env


@pytest.fixture(scope="session")
def slurm_cluster() -> Iterator[Path]:
    """The running local cluster named by $REPRODUCE_SLURM_RUNDIR (skip if unset).

    Exports the values of RUNDIR/env.sh (SLURM_CONF) into os.environ for the
    session, since submitit runs sbatch/sacct/scancel as subprocesses.
    """
    rundir = os.environ.get(RUNDIR_ENV)
    if not rundir:
        pytest.skip(
            f"{RUNDIR_ENV} is not set: start a cluster with "
            "`slurm/local/start.sh RUNDIR` and set it to RUNDIR to run the slurm tests"
        )
    env_sh = Path(rundir) / "env.sh"
    if not env_sh.is_file():
        # The variable asks for a cluster: a missing one is an error, not a skip.
        pytest.fail(
            f"{env_sh} not found: is the cluster in {rundir} started (slurm/local/start.sh)?"
        )
    env = _read_env_sh(env_sh)
    assert "SLURM_CONF" in env, f"{env_sh} does not export SLURM_CONF"
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        out = subprocess.run(
            ["sinfo", "-h", "-o", "%t"], capture_output=True, text=True, timeout=30
        )
        if out.returncode != 0 or not out.stdout.strip():
            pytest.fail(f"cluster in {rundir} not usable: sinfo said {out.stdout!r} {out.stderr!r}")
        yield Path(rundir)


@pytest.fixture
def one_thread() -> Iterator[None]:
    """torch on one thread for the test (the 2-core CI machine runs tests side by side)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
