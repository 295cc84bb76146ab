"""The cho2d step on a GPU: no host synchronisation in a step, models moved to a device
train as before, and CUDA-graph replay equals eager steps (on cuda only)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from methods.cho2d import batched, graph
from methods.cho2d.common import HP, make_hp, member_rng
from methods.cho2d.config import DEFAULTS
from methods.cho2d.step import Models, run_epoch, train_step
from tests.host_sync import refuse_host_reads

TINY = {"hidden": 16, "n_hidden": 2, "d_z": 4, "steps_per_epoch": 4, "epochs": 2,
        "pc_update_epoch": 1}
VARIANTS = ["vcagan", "elastic", "infogan", "gan"]
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")

pytestmark = pytest.mark.usefixtures("one_thread")



def _models(variant: str, seed: int = 5) -> tuple[HP, Models, list[np.random.Generator]]:
    hp = make_hp({**DEFAULTS, **TINY, "variant": variant})
    rngs = [member_rng(seed, r) for r in range(2)]
    return hp, batched.build(hp, rngs, [0.1, 1.0]), rngs


@pytest.mark.parametrize("variant", VARIANTS)
def test_step_reads_nothing_on_the_host(variant: str, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    hp, m, rngs = _models(variant)
    draws = batched.draw_batched(rngs, hp)
    with monkeypatch.context() as patch:
        refuse_host_reads(patch)
        for step in (0, hp.update_step):  # both phases: before and after P(C) updates
            out = train_step(m, hp, draws["x"][0], draws["z"][0], draws["gumbel"][0], step)
    assert set(out) == {"loss_d", "loss_g", "loss_q"}
    assert bool(torch.stack(list(out.values())).isfinite().all())


def test_the_refusal_catches_a_host_read(monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:
        refuse_host_reads(patch)
        with pytest.raises(AssertionError, match="read a tensor on the host"):
            float(torch.ones(()))


@pytest.mark.parametrize("variant", ["vcagan", "elastic"])
def test_moved_models_train_like_the_originals(variant: str) -> None:
    """move_ (to the same device here) swaps every tensor and optimiser, after a step
    so that optimiser state is carried over; training continues identically."""
    hp, ref, rngs = _models(variant)
    _, moved, rngs2 = _models(variant)
    run_epoch(ref, hp, batched.draw_batched(rngs, hp), 0)
    run_epoch(moved, hp, batched.draw_batched(rngs2, hp), 0)
    old = moved.g_params[0]
    graph.move_(moved, "cpu")
    assert moved.g_params[0] is not old and moved.opt_g.state
    for m, r in ((ref, rngs), (moved, rngs2)):
        graph.run_epoch(graph.make_step(m, hp, "cpu"), hp, batched.draw_batched(r, hp), 1,
                        "cpu")
    for a, b in zip(ref.g_params + ref.d_params, moved.g_params + moved.d_params,
                    strict=True):
        assert torch.equal(a, b)
    assert torch.equal(ref.current_prior(), moved.current_prior())
    copy = graph.cpu_models(moved, hp)
    assert all(torch.equal(a, b) for a, b in zip(copy.g_ema, moved.g_ema, strict=True))


@needs_cuda
@pytest.mark.parametrize("variant", VARIANTS)
def test_graph_replay_matches_eager_on_cuda(variant: str) -> None:
    hp, eager_m, rngs = _models(variant)
    _, graph_m, _ = _models(variant)
    graph.move_(eager_m, "cuda")
    step_fn = graph.make_step(graph_m, hp, "cuda")
    assert isinstance(step_fn, graph.GraphStep)
    eager_fn = graph.make_step(eager_m, hp, "cpu")  # the eager step, on cuda tensors
    for epoch in range(3):  # warm-up, capture and replay in both phases
        draws = batched.draw_batched(rngs, hp)
        a = graph.run_epoch(eager_fn, hp, draws, epoch, "cuda")
        b = graph.run_epoch(step_fn, hp, draws, epoch, "cuda")
        for key in a:
            assert torch.allclose(a[key], b[key], atol=1e-5), key
    assert step_fn.fallback is None and len(step_fn.graphs) == 2
    for x, y in zip(eager_m.g_params, graph_m.g_params, strict=True):
        assert torch.allclose(x, y, atol=1e-5)


@needs_cuda
def test_eager_cuda_step_does_not_synchronise() -> None:
    hp, m, rngs = _models("vcagan")
    graph.move_(m, "cuda")
    draws = {k: v.cuda() for k, v in batched.draw_batched(rngs, hp).items()}
    train_step(m, hp, draws["x"][0], draws["z"][0], draws["gumbel"][0], 0)  # Adam state
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for step in (1, hp.update_step):
            train_step(m, hp, draws["x"][1], draws["z"][1], draws["gumbel"][1], step)
    finally:
        torch.cuda.set_sync_debug_mode("default")
