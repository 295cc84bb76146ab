"""benchmarks/bench_gpu.py: a CPU smoke run at tiny sizes, the recorded measurements
read back by reproduce/gpu_costs.py, and its one-line refusals."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
import torch

from reproduce import gpu_costs

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_gpu.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_gpu", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_gpu"] = module
    spec.loader.exec_module(module)
    return module


def _row(method: str, members: int, seconds: float) -> dict[str, object]:
    return {"method": method, "members": members, "seconds_per_step": seconds,
            "steps_per_default_run": 1000, "step": "s"}


def test_recorded_figures_are_what_plan_reads(tmp_path: Path) -> None:
    bench = _bench()
    rows = [_row("cho2d", 8, 0.003), _row("cho2d", 1, 0.002), _row("zhou_amgan", 1, 0.01)]
    report = {"device": "NVIDIA H200", "measured": "now", "git_commit": "abc", "cases": rows}
    path = tmp_path / "gpu_measurements.json"
    bench.record(report, path)
    methods = gpu_costs.load(path)["NVIDIA H200"]["methods"]
    assert methods["zhou_amgan"]["seconds_per_step"] == 0.01
    assert methods["cho2d"]["seconds_per_step"] == 0.002  # the one-member step
    assert methods["cho2d"]["seconds_per_step_by_members"] == {"1": 0.002, "8": 0.003}


def test_refusals(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _bench()
    assert bench.main(["--device", "cpu", "--tiny", "--record"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    if not torch.cuda.is_available():
        assert bench.main(["--device", "cuda"]) == 2
        assert "no GPU visible" in capsys.readouterr().err


def test_flops_of_a_matmul_and_of_a_double_backward() -> None:
    bench = _bench()
    a, b = torch.randn(8, 16), torch.randn(16, 4)
    assert bench.step_flops(lambda: a @ b) == 2 * 8 * 16 * 4
    x = torch.randn(8, 16, requires_grad=True)  # a leaf, as R1's input
    w = torch.randn(16, 4, requires_grad=True)

    def r1() -> None:
        (g,) = torch.autograd.grad((x @ w).sum(), x, create_graph=True)
        g.pow(2).sum().backward()

    assert bench.step_flops(r1) > 2 * 8 * 16 * 4


@pytest.mark.slow
def test_cpu_smoke_run(tmp_path: Path) -> None:
    torch.set_num_threads(1)
    bench = _bench()
    out, md = tmp_path / "r.json", tmp_path / "r.md"
    assert bench.main(["--device", "cpu", "--tiny", "--seconds", "0.05", "--members", "1",
                       "2", "--json", str(out), "--markdown", str(md)]) == 0
    report = json.loads(out.read_text())
    names = [r["case"] for r in report["cases"]]
    assert names == ["zhou_amgan", "watanabe", "cho2d M=1", "cho2d M=2"]
    for row in report["cases"]:
        assert row["seconds_per_step"] > 0 and row["gflop_per_step"] > 0
        assert row["ratio"] == pytest.approx(row["seconds_per_step"]
                                             / row["reference_seconds_per_step"])
    assert report["tiny"] and "tiny sizes" in md.read_text()
    cho = [t for t in report["tables"] if t["target"] == "cho figure 2"]
    assert cho and cho[0]["gpu_hours"] > 0
