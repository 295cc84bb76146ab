"""Trainer of watanabe_selflabel (see methods/watanabe/config.py) on the shared engine."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import torch

from methods.base import RunContext
from methods.engine import BatchStream, Engine, EngineConfig, resolve_device, seed_all
from methods.watanabe.config import METRICS, PROBE_PARAMS, check_params
from methods.watanabe.evaluate import WatanabeEvaluator
from methods.watanabe.model import WatanabeGAN, real_batch_size, uses_teacher
from reproduce.data.images import ImageSet, load_image_dataset
from reproduce.data.splits import labelled_split

TRAIN_SPLIT = {"stl10": "train+unlabeled"}  # STL-10: 5,000 labelled + 100,000 unlabeled


class PartlyLabelled:
    """A training set whose labels are kept only for ``labelled`` indices (-1 elsewhere)."""

    def __init__(self, data: ImageSet, labelled: np.ndarray) -> None:
        self.data = data
        self.labels = np.full(len(data), -1, dtype=np.int64)
        self.labels[labelled] = data.labels[labelled]
        self._labels_t = torch.from_numpy(self.labels)

    def __len__(self) -> int:
        return len(self.data)

    def batch(self, idx: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        x, _ = self.data.batch(idx)
        return x, self._labels_t[torch.as_tensor(np.asarray(idx, dtype=np.int64))]


def choose_labelled(labels: np.ndarray, rate: float, seed: int
                    ) -> tuple[np.ndarray, dict[str, Any]]:
    """Indices keeping their real label: ``round(rate * N)`` images spread evenly over the
    classes (among images that have a label), chosen with ``seed``; all when rate = 1."""
    n_target = min(int(round(rate * len(labels))), int((labels >= 0).sum()))
    if n_target <= 0:
        return np.zeros(0, np.int64), {"n_labelled": 0, "split_rule": "none"}
    split = labelled_split(labels, count=n_target, seed=seed)
    return split.labelled, split.record()



def schedule(p: dict[str, Any], n_train: int) -> dict[str, int]:
    """G steps per epoch (an epoch = n_train / batch_size D steps), total G steps, eval and
    checkpoint intervals in G steps."""
    d_steps = max(1, int(p["d_steps"]))
    per_epoch = max(1, n_train // (int(p["batch_size"]) * d_steps))
    if int(p["max_steps_per_epoch"]) > 0:
        per_epoch = min(per_epoch, int(p["max_steps_per_epoch"]))
    return {"per_epoch": per_epoch, "d_per_epoch": per_epoch * d_steps,
            "steps": per_epoch * int(p["epochs"]),
            "eval_every": per_epoch * max(1, int(p["eval_every_epochs"])),
            "checkpoint_every": per_epoch * max(1, int(p["checkpoint_every_epochs"]))}


def build(p: dict[str, Any], dataset: str, seed: int, device: str
          ) -> tuple[WatanabeGAN, BatchStream, WatanabeEvaluator, dict[str, Any]]:
    """Data (with the label split), evaluator, model, batch stream, schedule."""
    size, ch = int(p["image_size"]), int(p["channels"])
    data = load_image_dataset(dataset, split=TRAIN_SPLIT.get(dataset, "train"), image_size=size,
                              channels=ch)
    test = (load_image_dataset(dataset, split="test", image_size=size, channels=ch)
            if uses_teacher(p) else None)
    labelled, record = choose_labelled(data.labels, float(p["label_rate"]), int(p["split_seed"]))
    real_labels_used = len(labelled) > 0 and p["cond_loss"] in ("both", "eq11", "real")
    if real_labels_used and int(p["num_clusters"]) != data.num_classes:
        raise ValueError(f"real labels feed D^C: num_clusters must equal the "
                         f"{data.num_classes} classes of {dataset}, got {p['num_clusters']}")
    evaluator = WatanabeEvaluator(p, data, test, dataset, seed, device)
    sched = schedule(p, len(data))
    evaluator.final_step = sched["steps"]
    seed_all(seed)
    model = WatanabeGAN(p, device, sched["d_per_epoch"])
    stream = BatchStream(PartlyLabelled(data, labelled), real_batch_size(p), seed, device)
    return model, stream, evaluator, {**sched, **record}


def _evaluate_donor(ctx: RunContext, engine: Engine, donor: Path, steps: int) -> dict[str, Any]:
    """Evaluate the final model of ``donor`` with this run's (probe) params."""
    state = torch.load(donor / "checkpoint.pt", map_location="cpu", weights_only=False)
    step = engine.load(state)
    if step != steps:
        raise RuntimeError(f"donor {donor.name} stopped at step {step}, not {steps}")
    metrics = engine.evaluate(step)
    metrics["model_from_run"] = donor.name
    ctx.log_eval(step, metrics)
    return metrics


def make_engine(p: dict[str, Any], ctx: RunContext) -> tuple[Engine, dict[str, Any]]:
    """The engine of a run (model, data, evaluator, schedule) and its schedule record."""
    device = resolve_device(str(p["device"]))
    model, stream, evaluator, sched = build(p, str(ctx.config["dataset"]), int(ctx.seed), device)
    cfg = EngineConfig(steps=sched["steps"], d_steps=int(p["d_steps"]),
                       eval_every=sched["eval_every"],
                       checkpoint_every=sched["checkpoint_every"],
                       ema_decay=float(p["ema_decay"]), ema_start=int(p["ema_start"]),
                       progress_every=max(1, min(50, sched["per_epoch"])), seed=int(ctx.seed))
    return Engine(model, stream, cfg, evaluator), sched


def train(ctx: RunContext) -> dict[str, Any]:
    """Train one watanabe_selflabel run (or re-evaluate a donor's model for probe params);
    returns the metrics of the last evaluation."""
    if not os.environ.get("REPRODUCE_THREADS_PER_WORKER"):
        torch.set_num_threads(1)
    p = dict(ctx.params)
    check_params(p)
    engine, sched = make_engine(p, ctx)
    cfg = engine.cfg
    resuming = (Path(ctx.run_dir) / "checkpoint.pt").exists()
    donor = None if resuming else ctx.finished_run_like(PROBE_PARAMS)
    if donor is not None:
        return _evaluate_donor(ctx, engine, donor, cfg.steps)
    metrics = engine.run(ctx)  # also saves the final model (donor, `eval`)
    metrics.setdefault("n_labelled", float(sched["n_labelled"]))
    return metrics


def evaluate(ctx: RunContext, state: dict[str, Any], metrics: list[str],
             options: dict[str, Any]) -> dict[str, Any]:
    """Score a stored checkpoint again (``reproduce eval``): ``options["n_samples"]``
    overrides n_eval_samples (keys get ``_n<N>``), ``options["extractor"]`` the FID
    extractor (keys get ``_<extractor>``); the FID record names its extractor."""
    allowed = set(METRICS) - {"sample_std", "train_selected_fraction"}
    unknown = sorted(set(metrics) - allowed)
    if unknown:
        raise ValueError(f"watanabe_selflabel evaluates {', '.join(sorted(allowed))}; "
                         f"not {unknown}")
    p = dict(ctx.params)
    n = int(options.get("n_samples") or p["n_eval_samples"])
    ext = str(options.get("extractor") or p["fid_extractor"])
    suffix = ("" if n == int(p["n_eval_samples"]) else f"_n{n}") + (
        "" if ext == p["fid_extractor"] else f"_{ext}")
    p.update(n_eval_samples=n, fid_extractor=ext)
    check_params(p)
    engine, _ = make_engine(p, ctx)
    values = engine.evaluate(engine.load(state))
    out = {f"{k}{suffix}": float(values[k]) for k in metrics if k in values}
    if "fid" in metrics:
        out[f"fid_extractor{suffix}"] = values["fid_extractor"]
    return out
