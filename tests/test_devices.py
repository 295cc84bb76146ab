"""GPU discovery, the local executor's GPU per job, --device, and the recorded device."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from reproduce import devices, provenance
from reproduce.errors import UserError


@pytest.mark.parametrize(("value", "expected"), [
    ("2,3", ["2", "3"]), ("", []), ("0,-1,2", ["0"]), (" 1 , 0", ["1", "0"]),
    ("GPU-8a1b,1", ["GPU-8a1b", "1"]), ("0,,1", ["0"]),
])
def test_parse_visible(value: str, expected: list[str]) -> None:
    assert devices.parse_visible(value) == expected


def test_visible_gpus_from_count_and_environment() -> None:
    assert devices.visible_gpus({}, count=lambda: 4) == ["0", "1", "2", "3"]
    assert devices.visible_gpus({"CUDA_VISIBLE_DEVICES": "2,3"}, count=lambda: 4) == ["2", "3"]
    assert devices.visible_gpus({"CUDA_VISIBLE_DEVICES": ""}, count=lambda: 4) == []
    # a stale CUDA_VISIBLE_DEVICES on a machine without GPUs hands out nothing
    assert devices.visible_gpus({"CUDA_VISIBLE_DEVICES": "0"}, count=lambda: 0) == []


def test_job_gpus_policy() -> None:
    gpus = ["0", "1"]
    assert devices.job_gpus("local", "auto", gpus) == gpus
    assert devices.job_gpus("local", "cuda", gpus) == gpus
    assert devices.job_gpus("local", "cpu", gpus) == []
    assert devices.job_gpus("debug", "auto", gpus) == []  # in-process: sees what we see
    assert devices.job_gpus("slurm", "cuda", []) == []  # the SLURM profile asks for GPUs
    with pytest.raises(UserError, match="--device cuda: no GPU is visible"):
        devices.job_gpus("local", "cuda", [])
    with pytest.raises(UserError, match="--device: unknown device 'gpu'"):
        devices.job_gpus("local", "gpu", gpus)


def test_workers_one_per_gpu_and_shared_round_robin() -> None:
    assert devices.default_workers(["0", "1", "2"]) == 3
    assert devices.default_workers([]) == max(1, os.cpu_count() or 1)
    assert [devices.worker_gpu(i, ["4", "6"]) for i in range(5)] == ["4", "6", "4", "6", "4"]
    assert devices.worker_gpu(0, []) is None


def test_local_parameters() -> None:
    assert devices.local_parameters("3") == {"gpus_per_node": 1, "visible_gpus": (3,),
                                             "setup": ()}
    assert devices.local_parameters(None)["gpus_per_node"] == 0
    uuid = devices.local_parameters("MIG-1f2e")
    assert uuid["gpus_per_node"] == 0
    assert uuid["setup"] == ("export CUDA_VISIBLE_DEVICES=MIG-1f2e",)


class _RecordingExecutor:
    """Stands in for submitit.LocalExecutor: records the parameters of every map_array."""

    calls: list[tuple[dict[str, Any], list[Any]]] = []

    def __init__(self, folder: Path) -> None:
        self.params: dict[str, Any] = {}

    def update_parameters(self, **kwargs: Any) -> None:
        self.params.update(kwargs)

    def map_array(self, fn: Any, roots: list[str], chunks: list[Any]) -> list[str]:
        self.calls.append((dict(self.params), list(chunks)))
        gpu = self.params["visible_gpus"]
        return [f"job{chunk[0]}@{gpu}" for chunk in chunks]


def test_map_local_asks_for_each_workers_gpu(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    import submitit

    _RecordingExecutor.calls = []
    monkeypatch.setattr(submitit, "LocalExecutor", _RecordingExecutor)
    chunks = [["a"], ["b"], ["c"]]
    gpus = devices.visible_gpus({"CUDA_VISIBLE_DEVICES": "2,5"}, count=lambda: 8)
    jobs = devices.map_local("local", tmp_path, print, "root", chunks, gpus, 10)
    assert jobs == ["joba@(2,)", "jobb@(5,)", "jobc@(2,)"]  # in the order of the chunks
    asked = {c[0]["visible_gpus"]: (c[0]["gpus_per_node"], c[1]) for c in
             _RecordingExecutor.calls}
    assert asked == {(2,): (1, [["a"], ["c"]]), (5,): (1, [["b"]])}


def test_local_jobs_see_only_their_gpu(tmp_path: Path) -> None:
    """Real submitit local jobs: each reports the CUDA_VISIBLE_DEVICES it was started with
    (``os.getenv(name, default)`` is the job's function)."""
    chunks: list[list[str]] = [["x"], ["y"], ["z"]]
    jobs = devices.map_local("local", tmp_path / "%j", os.getenv, "CUDA_VISIBLE_DEVICES",
                             chunks, ["3", "GPU-ab12"], 5)
    assert [job.result() for job in jobs] == ["3", "GPU-ab12", "3"]
    cpu_jobs = devices.map_local("local", tmp_path / "%j", os.getenv, "CUDA_VISIBLE_DEVICES",
                                 [["x"]], [], 5)
    assert cpu_jobs[0].result() == ""


def test_device_reaches_resolve_device(monkeypatch: pytest.MonkeyPatch) -> None:
    from methods.engine import resolve_device

    env: dict[str, str] = {}
    devices.export_device("cpu", env)
    assert env == {devices.DEVICE_ENV: "cpu"}
    monkeypatch.setenv(devices.DEVICE_ENV, "cpu")
    assert resolve_device("auto") == "cpu"
    assert resolve_device("cuda") == "cuda"  # a method's explicit device wins
    monkeypatch.setenv(devices.DEVICE_ENV, "cuda")
    assert resolve_device("auto") == "cuda"
    monkeypatch.setenv(devices.DEVICE_ENV, "auto")
    import torch

    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")


def test_recorded_device_is_the_trainers(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: False)
    assert provenance.device_name().startswith("cpu (")  # visible but unused: not named
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: True)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 1)
    names = {0: "NVIDIA A100-SXM4-80GB", 1: "NVIDIA H200"}
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda i=None: names[i])
    assert provenance.device_name() == "NVIDIA H200"


def test_cli_device_cuda_without_gpu_is_one_line_error(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    from reproduce.cli import main

    monkeypatch.setattr(devices, "visible_gpus", lambda: [])
    monkeypatch.setenv(devices.DEVICE_ENV, "auto")
    code = main(["table", "--paper", "liu", "--id", "1", "--profile", "smoke",
                 "--store", str(tmp_path / "s"), "--device", "cuda"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.count("\n") == 0 and "--device cuda" in err
