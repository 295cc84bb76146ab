"""Random states and small pieces of trainer state the engine checkpoints (torch)."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch

from methods.base import seed_all  # noqa: F401 (the engine's name for the contract's)


@contextmanager
def preserved_rng() -> Iterator[None]:
    """Leave every global random state as it was after the block (for building data and
    evaluators, so a cached classifier and a freshly trained one leave training alike)."""
    saved = rng_states()
    try:
        yield
    finally:
        set_rng_states(saved)


def balanced_labels(n: int, num_classes: int, seed: int) -> np.ndarray:
    """``n`` class labels, each class ``n // K`` or ``n // K + 1`` times, shuffled with
    ``seed`` (the labels a class-conditional generator is evaluated on): the metrics'
    :func:`reproduce.metrics.sampling.sample_labels`."""
    from reproduce.metrics.sampling import sample_labels  # the metrics package loads scipy

    return sample_labels(n, num_classes, seed=seed)


def rng_states() -> dict[str, Any]:
    """Every global random state a training step may draw from (plain types for numpy)."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": (str(name), [int(v) for v in keys], int(pos), int(has_gauss), float(cached)),
        "python": random.getstate(),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_states(state: dict[str, Any]) -> None:
    """Restore :func:`rng_states`."""
    torch.set_rng_state(state["torch"])
    name, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((name, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
    random.setstate(state["python"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


class BatchStream:
    """Batches of a data set in epochs of a seeded random permutation (checkpointable).

    ``data`` has ``__len__`` and ``batch(idx) -> (x, y)``. A batch never spans two epochs:
    the last partial batch of an epoch is dropped, as in the usual drop-last loaders.
    """

    def __init__(self, data: Any, batch_size: int, seed: int, device: str = "cpu") -> None:
        if batch_size > len(data):
            raise ValueError(f"batch size {batch_size} exceeds the {len(data)} images")
        self.data, self.batch_size, self.device = data, int(batch_size), device
        self.rng = np.random.default_rng(seed)
        self.perm = self.rng.permutation(len(data))
        self.pos = 0
        self.epoch = 0

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The next batch ``(x, y)`` on the stream's device."""
        if self.pos + self.batch_size > len(self.perm):
            self.perm = self.rng.permutation(len(self.data))
            self.pos = 0
            self.epoch += 1
        idx = self.perm[self.pos : self.pos + self.batch_size]
        self.pos += self.batch_size
        x, y = self.data.batch(idx)
        if self.device != "cpu":
            x, y = x.to(self.device, non_blocking=True), y.to(self.device, non_blocking=True)
        return x, y

    def state(self) -> dict[str, Any]:
        """Everything needed to continue the same sequence of batches."""
        return {"rng": self.rng.bit_generator.state, "perm": self.perm.tolist(),
                "pos": self.pos, "epoch": self.epoch}

    def load(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state`."""
        self.rng.bit_generator.state = state["rng"]
        self.perm = np.asarray(state["perm"], dtype=np.int64)
        self.pos, self.epoch = int(state["pos"]), int(state["epoch"])


def staircase_lr(base: float, step: int, decay: float, every: int) -> float:
    """Staircase exponential decay: ``base * decay ** floor(step / every)`` (every 0: none)."""
    if every <= 0 or decay == 1.0:
        return base
    return base * decay ** (step // every)


class EMA:
    """Exponential moving average of a module's parameters (buffers are copied)."""

    def __init__(self, module: torch.nn.Module, decay: float) -> None:
        import copy

        self.decay = float(decay)
        self.module = copy.deepcopy(module).eval()
        for p in self.module.parameters():
            p.requires_grad_(False)
        self._src = list(module.parameters())
        self._dst = list(self.module.parameters())
        self._src_buf = list(module.buffers())
        self._dst_buf = list(self.module.buffers())

    @torch.no_grad()
    def update(self, copy_only: bool = False) -> None:
        """``ema = decay * ema + (1 - decay) * current`` (or a plain copy)."""
        if copy_only:
            torch._foreach_copy_(self._dst, self._src)
        else:
            torch._foreach_lerp_(self._dst, self._src, 1.0 - self.decay)
        for d, s in zip(self._dst_buf, self._src_buf, strict=True):
            d.copy_(s)


def resolve_device(name: str) -> str:
    """``auto`` -> ``$REPRODUCE_DEVICE`` (set by ``--device``) unless that is auto too,
    else cuda when available, else cpu."""
    if name == "auto":
        name = os.environ.get("REPRODUCE_DEVICE") or "auto"
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return name


def cache_root() -> Path:
    """Where evaluation artifacts (classifiers, real-data statistics) are cached:
    ``$REPRODUCE_CACHE``, default ``~/.cache/reproduce``."""
    env = os.environ.get("REPRODUCE_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "reproduce"
