"""Engine overhead: training steps/s of AM-GAN's smoke configuration through the engine
against a minimal hand-written PyTorch loop of the same networks and losses.

    python benchmarks/bench_engine.py [--steps 150] [--rounds 3] [--paper-step]

Both loops run on the digits data (16x16, 3 channels), batch 32, 1/8-width networks, one
thread, with the same initial weights; the engine runs with its checkpoints and
evaluations pushed past the end (its per-step bookkeeping: data stream, learning-rate
schedule, loss checks, progress) and a no-op evaluator. Rounds alternate the two loops;
the median steps/s of each is reported with the overhead ratio (target <= 1.10).
``--paper-step`` also times one step at the paper's full width (batch 100, 32x32), the
figure behind the cost estimate in methods/zhou_amgan/config.py.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from methods import registry  # noqa: E402
from methods.engine import BatchStream, Engine, EngineConfig, seed_all  # noqa: E402
from methods.zhou_amgan import losses as L  # noqa: E402
from methods.zhou_amgan.model import ZhouGAN  # noqa: E402
from reproduce.data.images import load_image_dataset  # noqa: E402


class NullCtx:
    """A RunContext that keeps nothing."""

    run_dir = Path(".")
    config: dict[str, Any] = {"params": {}, "seed": 0}
    params = property(lambda self: {})
    seed = property(lambda self: 0)

    def log_eval(self, step: int, metrics: dict[str, Any]) -> None: ...
    def save_checkpoint(self, state: dict[str, Any]) -> None: ...
    def load_checkpoint(self) -> None: return None
    def progress(self, step: int, total: int) -> None: ...


def smoke_params() -> dict[str, Any]:
    p = dict(registry.get("zhou_amgan").defaults)
    p.update(variant="amgan", labeling="dynamic", image_size=16, width_mult=0.125,
             batch_size=32, wn_data_init=False)
    return p


def engine_steps_per_s(base: ZhouGAN, data: Any, steps: int) -> float:
    model = copy.deepcopy(base)
    cfg = EngineConfig(steps=steps, eval_every=10**9, checkpoint_every=10**9)
    engine = Engine(model, BatchStream(data, 32, 0), cfg, lambda *a: {})
    engine.evaluate = lambda step: {}  # type: ignore[method-assign]  # no final evaluation
    seed_all(0)
    t = time.perf_counter()
    engine.run(NullCtx())
    return steps / (time.perf_counter() - t)


def hand_steps_per_s(base: ZhouGAN, data: Any, steps: int) -> float:
    """AM-GAN (dynamic labeling) written out by hand: Eq. 15 for D, Eq. 14 for G."""
    model = copy.deepcopy(base)
    G, D = model.nets["G"], model.nets["D"]
    opt_g, opt_d = model.optimizers["G"], model.optimizers["D"]
    x_all, y_all = data.batch(torch.arange(len(data)).numpy())
    seed_all(0)
    t = time.perf_counter()
    for _ in range(steps):
        idx = torch.randint(0, len(x_all), (32,))
        x, y = x_all[idx], y_all[idx]
        with torch.no_grad():
            fake = G(torch.randn(32, 100))
        out = L.with_fake_logit(D(torch.cat([x, fake])))
        loss_d = L.labelgan_d_loss(out[:32], y, out[32:])
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        out = L.with_fake_logit(D(G(torch.randn(32, 100))))
        loss_g = L.amgan_g_loss(out, out[:, :10].detach().argmax(1))
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
    return steps / (time.perf_counter() - t)


def paper_step_seconds(repeats: int = 3) -> float:
    """CPU seconds (process time, 1 thread) of one AM-GAN step at the paper's size."""
    p = dict(registry.get("zhou_amgan").defaults)
    model = ZhouGAN(p, 10, "cpu")
    batch = (torch.rand(100, 3, 32, 32) * 2 - 1, torch.randint(0, 10, (100,)))
    model.d_step(batch)
    model.g_step(batch)
    t = time.process_time()
    for _ in range(repeats):
        model.d_step(batch)
        model.g_step(batch)
    return (time.process_time() - t) / repeats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--paper-step", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    data = load_image_dataset("digits", image_size=16, channels=3)
    seed_all(0)
    base = ZhouGAN(smoke_params(), 10, "cpu")
    engine_steps_per_s(base, data, 20)  # warm-up of both paths
    hand_steps_per_s(base, data, 20)
    eng, hand = [], []
    for r in range(args.rounds):
        eng.append(engine_steps_per_s(base, data, args.steps))
        hand.append(hand_steps_per_s(base, data, args.steps))
        print(f"round {r + 1}: engine {eng[-1]:.1f} steps/s, hand loop {hand[-1]:.1f} steps/s",
              flush=True)
    e, h = statistics.median(eng), statistics.median(hand)
    print(f"AM-GAN smoke config (digits 16x16, batch 32, width 1/8), {args.steps} steps x "
          f"{args.rounds} rounds, 1 thread")
    print(f"engine    : {e:.1f} steps/s (median)")
    print(f"hand loop : {h:.1f} steps/s (median)")
    print(f"overhead ratio (hand / engine time per step): {h / e:.3f}  (target <= 1.10)")
    if args.paper_step:
        s = paper_step_seconds()
        print(f"paper-size step (batch 100, 32x32, full width), 1 thread: {s:.2f} CPU s/step "
              f"-> {s * 300000 / 3600:.0f} core-hours for 300k steps")


if __name__ == "__main__":
    main()
