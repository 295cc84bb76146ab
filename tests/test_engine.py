"""The shared image-GAN engine: schedule, EMA, evaluation, checkpoints and resume, failures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

from methods import registry
from methods.base import RunFailed
from methods.engine import EMA, BatchStream, Engine, EngineConfig, seed_all
from methods.engine.state import rng_states, set_rng_states, staircase_lr
from tests.fake_context import FakeCtx, Stop

torch.set_num_threads(1)




class ToyData:
    """32 "images" of shape 1x2x2 in two classes."""

    def __init__(self) -> None:
        g = torch.Generator().manual_seed(0)
        self.x = torch.randn(32, 1, 2, 2, generator=g).tanh()
        self.y = torch.arange(32) % 2

    def __len__(self) -> int:
        return 32

    def batch(self, idx: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        t = torch.as_tensor(idx)
        return self.x[t], self.y[t]


class ToyGAN:
    """A linear G and D with dropout (so steps draw from the global RNG)."""

    def __init__(self, lr: float = 0.01, nan_at: int | None = None) -> None:
        self.G = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
        self.D = nn.Sequential(nn.Dropout(0.2), nn.Linear(4, 1))
        self.nets: dict[str, nn.Module] = {"G": self.G, "D": self.D}
        self.optimizers: dict[str, torch.optim.Optimizer] = {
            "G": torch.optim.Adam(self.G.parameters(), lr=lr),
            "D": torch.optim.Adam(self.D.parameters(), lr=2 * lr)}
        self.d_calls = self.g_calls = 0
        self.nan_at = nan_at

    def _gen(self, G: nn.Module, z: torch.Tensor) -> torch.Tensor:
        return G(z).view(-1, 1, 2, 2)

    def d_step(self, batch: tuple[torch.Tensor, torch.Tensor]) -> dict[str, torch.Tensor]:
        self.d_calls += 1
        x, _ = batch
        fake = self._gen(self.G, torch.randn(len(x), 3)).detach()
        loss = (nn.functional.softplus(-self.D(x.flatten(1))).mean()
                + nn.functional.softplus(self.D(fake.flatten(1))).mean())
        self.optimizers["D"].zero_grad()
        loss.backward()
        self.optimizers["D"].step()
        return {"loss_d": loss.detach()}

    def g_step(self, batch: tuple[torch.Tensor, torch.Tensor]) -> dict[str, torch.Tensor]:
        self.g_calls += 1
        fake = self._gen(self.G, torch.randn(len(batch[0]), 3))
        loss = nn.functional.softplus(-self.D(fake.flatten(1))).mean()
        self.optimizers["G"].zero_grad()
        loss.backward()
        self.optimizers["G"].step()
        if self.nan_at is not None and self.g_calls >= self.nan_at:
            loss = loss * float("nan")
        return {"loss_g": loss.detach()}

    def sample(self, n: int, seed: int, G: nn.Module) -> tuple[torch.Tensor, None]:
        z = torch.randn(n, 3, generator=torch.Generator().manual_seed(seed))
        return self._gen(G, z), None


def toy_evaluator(step: int, method: ToyGAN, G: nn.Module) -> dict[str, Any]:
    x, _ = method.sample(16, 123, G)
    torch.rand(5)  # a careless evaluator drawing from the global RNG must change nothing
    return {"mean": float(x.mean()), "w": float(G[0].weight.sum()), "mean_extractor": "toy"}


def run_toy(tmp_path: Path, cfg: EngineConfig, stop_after: int | None = None,
            ctx: FakeCtx | None = None, **kw: Any) -> tuple[dict[str, Any], FakeCtx, ToyGAN]:
    seed_all(0)
    method = ToyGAN(**kw)
    stream = BatchStream(ToyData(), 8, 0)
    ctx = ctx or FakeCtx(tmp_path, stop_after=stop_after, stop_on="progress")
    return Engine(method, stream, cfg, toy_evaluator).run(ctx), ctx, method


def cfg_of(**kw: Any) -> EngineConfig:
    base = dict(steps=12, eval_every=4, checkpoint_every=3, progress_every=1, check_every=1)
    return EngineConfig(**{**base, **kw})


def test_schedule_and_logging(tmp_path: Path) -> None:
    metrics, ctx, method = run_toy(tmp_path, cfg_of(d_steps=3))
    assert sorted(ctx.logged) == [4, 8, 12]
    assert method.g_calls == 12 and method.d_calls == 36
    assert ctx.logged[12] == metrics and metrics["mean_extractor"] == "toy"
    assert ctx.progressed[-1] == 12 and "sample_std" in metrics


def test_resume_gives_the_same_final_metrics(tmp_path: Path) -> None:
    cfg = cfg_of(ema_decay=0.9, ema_start=2, lr_decay=0.5, lr_decay_every=5)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    full, full_ctx, _ = run_toy(tmp_path / "a", cfg)
    with pytest.raises(Stop):
        run_toy(tmp_path / "b", cfg, stop_after=7)  # last checkpoint at step 6
    ctx = FakeCtx(tmp_path / "b")
    ctx.logged = {4: {"stale": 1.0}}
    resumed, ctx, _ = run_toy(tmp_path / "b", cfg, ctx=ctx)
    assert resumed == full
    assert ctx.logged[8] == full_ctx.logged[8] and ctx.logged[12] == full_ctx.logged[12]


def test_resumed_at_the_end_reevaluates(tmp_path: Path) -> None:
    cfg = cfg_of(checkpoint_every=12)
    full, _, _ = run_toy(tmp_path, cfg)
    again, ctx, method = run_toy(tmp_path, cfg)
    assert method.g_calls == 0 and again == full and list(ctx.logged) == [12]


def test_evaluation_does_not_change_training(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, _, ma = run_toy(tmp_path / "a", cfg_of(eval_every=1))
    b, _, mb = run_toy(tmp_path / "b", cfg_of(eval_every=100))
    assert a == b
    for pa, pb in zip(ma.G.parameters(), mb.G.parameters(), strict=True):
        assert torch.equal(pa, pb)


def test_staircase_learning_rate(tmp_path: Path) -> None:
    assert staircase_lr(1.0, 0, 0.5, 10) == 1.0
    assert staircase_lr(1.0, 9, 0.5, 10) == 1.0
    assert staircase_lr(1.0, 10, 0.5, 10) == 0.5
    assert staircase_lr(1.0, 25, 0.5, 10) == 0.25
    assert staircase_lr(1.0, 25, 0.5, 0) == 1.0
    _, _, method = run_toy(tmp_path, cfg_of(steps=11, lr_decay=0.5, lr_decay_every=5), lr=0.01)
    # step 11 ran with floor(10 / 5) = 2 halvings
    assert method.optimizers["G"].param_groups[0]["lr"] == pytest.approx(0.0025)
    assert method.optimizers["D"].param_groups[0]["lr"] == pytest.approx(0.005)


def test_ema_update_math() -> None:
    net = nn.Linear(2, 1)
    ema = EMA(net, decay=0.75)
    old = ema.module.weight.detach().clone()
    with torch.no_grad():
        net.weight.add_(1.0)
    ema.update()
    assert torch.allclose(ema.module.weight, 0.75 * old + 0.25 * net.weight)
    ema.update(copy_only=True)
    assert torch.equal(ema.module.weight, net.weight)
    assert not ema.module.weight.requires_grad


def test_ema_generator_is_evaluated(tmp_path: Path) -> None:
    metrics, _, method = run_toy(tmp_path, cfg_of(ema_decay=0.5))
    assert metrics["w"] != pytest.approx(float(method.G[0].weight.detach().sum()))


def test_non_finite_loss_fails_the_run(tmp_path: Path) -> None:
    with pytest.raises(RunFailed, match="non-finite loss at step 5"):
        run_toy(tmp_path, cfg_of(), nan_at=5)


def test_collapse_fails_the_run(tmp_path: Path) -> None:
    seed_all(0)
    method = ToyGAN()
    with torch.no_grad():
        method.G[0].weight.zero_()  # G(z) = tanh(bias): every sample the same image
    cfg = cfg_of(steps=1, eval_every=1)
    engine = Engine(method, BatchStream(ToyData(), 8, 0), cfg, toy_evaluator)
    with pytest.raises(RunFailed, match="collapsed"):
        engine.evaluate(1)


def test_batch_stream_epochs_and_state() -> None:
    s = BatchStream(ToyData(), 10, seed=1)
    seen = [s.next()[0] for _ in range(3)]  # 30 of 32 images, one epoch
    assert s.epoch == 0
    state = s.state()
    nxt = s.next()[0]
    assert s.epoch == 1
    s2 = BatchStream(ToyData(), 10, seed=99)
    s2.load(state)
    assert torch.equal(s2.next()[0], nxt)
    flat = torch.cat(seen).flatten(1)
    assert len({tuple(r.tolist()) for r in flat}) == 30  # no image twice within an epoch
    with pytest.raises(ValueError):
        BatchStream(ToyData(), 33, seed=0)


def test_rng_states_round_trip() -> None:
    seed_all(5)
    state = rng_states()
    a = (torch.rand(3), np.random.rand(3), __import__("random").random())
    set_rng_states(state)
    b = (torch.rand(3), np.random.rand(3), __import__("random").random())
    assert torch.equal(a[0], b[0]) and np.array_equal(a[1], b[1]) and a[2] == b[2]


def test_config_from_params() -> None:
    cfg = EngineConfig.from_params({"steps": 7, "eval_every": 2, "lr_decay": 0.5,
                                    "other": "ignored"})
    assert (cfg.steps, cfg.eval_every, cfg.lr_decay, cfg.d_steps) == (7, 2, 0.5, 1)
    typed = registry.get("zhou_amgan").typed({"steps": 9, "lr_decay": 0.25})
    cfg = EngineConfig.from_params(typed)
    assert (cfg.steps, cfg.lr_decay, cfg.eval_every) == (9, 0.25, typed.eval_every)
