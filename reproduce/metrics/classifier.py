"""Train, cache and apply the dataset classifier used by the AM Score.

Inputs are images in [0, 255] (NCHW/NHWC); the network sees x / 127.5 - 1.
Recipes: ``"paper"`` (AM-GAN: SGD lr 0.1, Nesterov 0.9, wd 1e-4, lr / 10 at 50 % and
75 % of the epochs, batch 64, random crop (pad 4) + horizontal flip; 300 epochs with
DenseNet-BC 40/40) and ``"smoke"`` (Adam lr 1e-3, no augmentation, few epochs).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .classifier_nets import build_classifier
from .images import as_nchw255

RECIPES = ("paper", "smoke")


def _prep(images: Any) -> torch.Tensor:
    x = images if isinstance(images, torch.Tensor) else torch.from_numpy(as_nchw255(images))
    return x.float() / 127.5 - 1.0


def _augment(x: torch.Tensor, gen: torch.Generator, flip: bool) -> torch.Tensor:
    """Random 4-pixel-padded crop (zero = -1 padding after scaling) and optional h-flip."""
    n, _, h, w = x.shape
    xp = F.pad(x, (4, 4, 4, 4), value=-1.0)
    dy, dx = torch.randint(0, 9, (2, n), generator=gen)
    rows = (dy[:, None] + torch.arange(h)[None]).view(n, 1, h, 1).expand(-1, x.shape[1], -1, w + 8)
    out = torch.gather(xp, 2, rows)
    cols = (dx[:, None] + torch.arange(w)[None]).view(n, 1, 1, w).expand(-1, x.shape[1], h, -1)
    out = torch.gather(out, 3, cols)
    if flip:
        m = torch.rand(n, generator=gen) < 0.5
        out[m] = out[m].flip(3)
    return out


def train_classifier(
    images: Any,
    labels: np.ndarray,
    *,
    num_classes: int,
    arch: str = "small-cnn",
    recipe: str = "smoke",
    epochs: int = 2,
    batch_size: int = 64,
    flip: bool = True,
    seed: int = 0,
    device: str = "cpu",
    log: Callable[[str], None] | None = None,
) -> nn.Module:
    """Train ``arch`` on (images, labels) with ``recipe``; returns the model in eval mode."""
    if recipe not in RECIPES:
        raise ValueError(f"recipe must be one of {RECIPES}, got {recipe!r}")
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    x = _prep(images)
    y = torch.as_tensor(np.asarray(labels).reshape(-1), dtype=torch.int64)
    model = build_classifier(arch, num_classes, in_channels=x.shape[1]).to(device)
    if recipe == "paper":
        opt: torch.optim.Optimizer = torch.optim.SGD(
            model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4)
        milestones = [epochs // 2, (3 * epochs) // 4]
        sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones, gamma=0.1)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        sched = None
    model.train()
    for epoch in range(epochs):
        perm = torch.randperm(len(x), generator=gen)
        total = 0.0
        for i in range(0, len(x), batch_size):
            idx = perm[i : i + batch_size]
            xb = x[idx]
            if recipe == "paper":
                xb = _augment(xb, gen, flip)
            loss = F.cross_entropy(model(xb.to(device)), y[idx].to(device))
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        if sched is not None:
            sched.step()
        if log is not None:
            log(f"classifier {arch} epoch {epoch + 1}/{epochs} loss {total / len(x):.4f}")
    return model.eval()


@torch.no_grad()
def predict_probs(model: nn.Module, images: Any, batch_size: int = 500,
                  device: str = "cpu") -> np.ndarray:
    """Softmax probabilities (N, K) of ``model`` on images in [0, 255]."""
    model.eval()
    x = images if isinstance(images, torch.Tensor) else torch.from_numpy(as_nchw255(images))
    outs = [F.softmax(model(_prep(x[i : i + batch_size]).to(device)), dim=1).cpu()
            for i in range(0, len(x), batch_size)]
    return torch.cat(outs).double().numpy()


def classifier_path(cache_dir: str, dataset: str, arch: str, **made_with: Any) -> str:
    """Cache file of the classifier trained on ``dataset`` (a key that names the data's
    content) with ``arch``, keyed by everything else that made it: ``train_classifier``'s
    settings with defaults filled in (recipe, epochs, batch, flip, seed, device type) and
    the class count."""
    import hashlib
    import inspect
    import json

    defaults = {k: p.default for k, p in inspect.signature(train_classifier).parameters.items()
                if p.default is not inspect.Parameter.empty and k != "log"}
    settings = {**defaults, **{k: v for k, v in made_with.items() if k != "log"}, "arch": arch}
    settings["device"] = torch.device(settings["device"]).type
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    return os.path.join(cache_dir, "classifiers", f"{dataset}-{arch}-{digest.hexdigest()[:16]}.pt")


def load_or_train_classifier(
    dataset: str,
    data: Any,
    *,
    cache_dir: str,
    num_classes: int,
    arch: str = "small-cnn",
    device: str = "cpu",
    **train_kwargs: Any,
) -> tuple[nn.Module, bool]:
    """(model, from_cache): load the cached classifier of ``dataset`` or train and cache it.

    ``data`` is ``(images, labels)`` or a callable returning it. The cache key holds the
    SHA-256 of the images and labels besides every training setting, so other data never
    hit this cache; ``model.cache_key`` names the file, for the run's record.
    """
    images, labels = data() if callable(data) else data
    path = classifier_path(cache_dir, dataset, arch, num_classes=num_classes, device=device,
                           data_sha256=data_digest(images, labels), **train_kwargs)
    if os.path.isfile(path):
        blob = torch.load(path, map_location=device, weights_only=True)
        model = build_classifier(arch, int(blob["num_classes"]),
                                 in_channels=int(blob["in_channels"])).to(device)
        model.load_state_dict(blob["state_dict"])
        model.cache_key = os.path.basename(path)
        return model.eval(), True
    model = train_classifier(images, labels, num_classes=num_classes, arch=arch,
                             device=device, **train_kwargs)
    in_ch = next(m for m in model.modules() if isinstance(m, nn.Conv2d)).in_channels
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    torch.save({"state_dict": model.state_dict(), "num_classes": num_classes,
                "in_channels": in_ch, "arch": arch}, tmp)
    os.replace(tmp, path)
    model.cache_key = os.path.basename(path)
    return model, False


def data_digest(images: Any, labels: Any) -> str:
    """SHA-256 (16 hex digits) of a data set's images and labels, as stored."""
    import hashlib

    h = hashlib.sha256()
    for array in (images, labels):
        h.update(np.ascontiguousarray(np.asarray(array)).tobytes())
    return h.hexdigest()[:16]
