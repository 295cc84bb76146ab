"""The image methods' training steps read no tensor on the host (zhou_amgan, watanabe), the
rewritten masked means equal the formula they replace, and the per-device Adam equals
torch's default Adam on the CPU bit for bit."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import torch

from methods.engine.optim import adam
from methods.watanabe import losses as L
from methods.watanabe.config import DEFAULTS as W_DEFAULTS
from methods.watanabe.model import WatanabeGAN, real_batch_size
from methods.zhou_amgan.config import DEFAULTS as Z_DEFAULTS
from methods.zhou_amgan.model import ZhouGAN
from tests.host_sync import optimiser_steps, refuse_host_reads

torch.set_num_threads(1)
Batch = tuple[torch.Tensor, torch.Tensor]


def _steps_without_host_reads(model: Any, batch: Batch, monkeypatch: pytest.MonkeyPatch
                              ) -> dict[str, torch.Tensor]:
    """One D and one G step as warm-up (optimiser states are created), then one of each
    with every host read refused but the CPU optimisers' own step counts."""
    model.d_step(batch)
    model.g_step(batch)
    with monkeypatch.context() as patch:
        refuse_host_reads(patch, optimiser_steps(model.optimizers.values()))
        out = {**model.d_step(batch), **model.g_step(batch)}
    assert bool(torch.stack([v.float() for v in out.values()]).isfinite().all())
    return out


def _zhou(variant: str, labeling: str, device: str = "cpu") -> tuple[ZhouGAN, Batch]:
    torch.manual_seed(0)
    p = {**Z_DEFAULTS, "variant": variant, "labeling": labeling, "image_size": 16,
         "width_mult": 0.125, "batch_size": 8}
    batch = (torch.rand(8, 3, 16, 16) * 2 - 1, torch.arange(8) % 10)
    model = ZhouGAN(p, 10, device, init_batch=batch)
    return model, (batch[0].to(device), batch[1].to(device))


def _watanabe(cond_loss: str, attention_norm: str, device: str = "cpu"
              ) -> tuple[WatanabeGAN, Batch]:
    torch.manual_seed(0)
    p = {**W_DEFAULTS, "cond_loss": cond_loss, "attention_norm": attention_norm,
         "batch_size": 4, "batch_size_selflabeled": 8, "teacher_batch_size": 4, "g_ch": 8,
         "d_ch": 8, "z_dim": 16, "teacher_arch": "resnet18-tiny", "threshold": 0.5,
         "cutmix_prob": 1.0, "cutmix_warmup_epochs": 0}
    n = real_batch_size(p)
    x, y = torch.rand(n, 3, 32, 32) * 2 - 1, torch.tensor([3, -1, 0, -1, 7, -1, -1, 1])[:n]
    return WatanabeGAN(p, device, 10), (x.to(device), y.to(device))


@pytest.mark.parametrize(("variant", "labeling"), [
    ("amgan", "dynamic"), ("amgan", "predefined"), ("acgan", "dynamic"),
    ("acgan_star_plus", "predefined"), ("labelgan", "dynamic"), ("gan", "dynamic")])
def test_zhou_steps_read_nothing_on_the_host(variant: str, labeling: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    out = _steps_without_host_reads(*_zhou(variant, labeling), monkeypatch)
    assert set(out) == {"loss_d", "loss_g"}


@pytest.mark.parametrize(("cond_loss", "attention_norm"), [
    ("both", "selected"), ("eq11", "batch"), ("real", "selected"), ("none", "selected")])
def test_watanabe_steps_read_nothing_on_the_host(cond_loss: str, attention_norm: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    out = _steps_without_host_reads(*_watanabe(cond_loss, attention_norm), monkeypatch)
    assert "consistency" in out  # the CutMix branch ran
    assert ("loss_teacher" in out) == (cond_loss in ("both", "eq11"))
    assert ("loss_d_cond" in out) == (cond_loss != "none")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("which", ["zhou", "watanabe"])
def test_cuda_steps_do_not_synchronise(which: str) -> None:
    model, batch = (_zhou("amgan", "dynamic", "cuda") if which == "zhou"
                    else _watanabe("both", "batch", "cuda"))
    model.d_step(batch)  # optimiser states, cached augmentation tables
    model.g_step(batch)
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        model.d_step(batch)
        model.g_step(batch)
    finally:
        torch.cuda.set_sync_debug_mode("default")


def test_a_step_that_reads_the_host_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    allowed = torch.ones(())
    with monkeypatch.context() as patch:
        refuse_host_reads(patch, [allowed])
        assert float(allowed) == 1.0
        with pytest.raises(AssertionError, match="read a tensor on the host"):
            int(torch.ones(()).sum())
        with pytest.raises(AssertionError, match="read a tensor on the host"):
            torch.ones(3).sum().item()


def _masked_mean_with_host_read(values: torch.Tensor, mask: torch.Tensor,
                                denom: int | None = None) -> torch.Tensor:
    """The formula the device-side masked mean replaces (it read the count on the host)."""
    n = int(mask.sum()) if denom is None else denom
    if n == 0:
        return values.sum() * 0.0
    return (values * mask.to(values.dtype)).sum() / n


@pytest.mark.parametrize("mask", [[0, 0, 0, 0, 0, 0], [1, 0, 0, 1, 1, 0], [1, 1, 1, 1, 1, 1],
                                  [0, 0, 0, 0, 0, 1]])
def test_masked_means_equal_the_host_formula(mask: list[int]) -> None:
    values = torch.tensor([0.3, 1.7, 0.0, 2.25, 0.9, 1.1], requires_grad=True)
    sel = torch.tensor(mask, dtype=torch.bool)
    eligible = sel | torch.tensor([0, 1, 0, 0, 0, 0], dtype=torch.bool)
    for count in (None, eligible.sum()):
        old_denom = None if count is None else int(count)
        new = L._masked_mean(values, sel, count)
        old = _masked_mean_with_host_read(values, sel, old_denom)
        assert torch.equal(new, old)
        (g_new,) = torch.autograd.grad(new, values)
        (g_old,) = torch.autograd.grad(old, values)
        assert torch.equal(g_new, g_old)
    empty = torch.zeros(6, dtype=torch.bool)
    assert torch.equal(L._masked_mean(values, empty, empty.sum()), torch.tensor(0.0))


def test_adam_helper_equals_default_adam_on_the_cpu_to_the_bit() -> None:
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.Flatten(),
                              torch.nn.Linear(4 * 6 * 6, 3))
    x = torch.randn(5, 3, 8, 8)
    nets = [copy.deepcopy(net), copy.deepcopy(net)]
    opts = [torch.optim.Adam(nets[0].parameters(), lr=2e-4, betas=(0.0, 0.999)),
            adam(nets[1].parameters(), 2e-4, (0.0, 0.999), "cpu")]
    for step in range(3):
        for m, opt in zip(nets, opts, strict=True):
            opt.zero_grad()
            m(x * (step + 1)).pow(2).mean().backward()
            opt.step()
    for a, b in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
        assert torch.equal(a, b)
    assert opts[1].param_groups[0]["foreach"] is True


def test_adam_keeps_its_implementation_when_loading_another_devices_state() -> None:
    p = torch.nn.Parameter(torch.ones(3))
    fused_state = adam([p], 1e-3, (0.5, 0.9), "cpu").state_dict()
    fused_state["param_groups"][0].update(fused=True, foreach=None)
    fused_state["state"] = {0: {"step": torch.tensor(4.0), "exp_avg": torch.zeros(3),
                                "exp_avg_sq": torch.zeros(3)}}
    opt = adam([p], 1e-3, (0.5, 0.9), "cpu")
    opt.load_state_dict(fused_state)
    assert opt.param_groups[0]["foreach"] is True and opt.param_groups[0]["fused"] is None
    assert opt.state[p]["step"].device.type == "cpu"
    assert opt.param_groups[0]["lr"] == 1e-3
