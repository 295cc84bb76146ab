"""Feature-extractor registry for FID / IS / precision-recall (torch-fidelity-like).

``get_extractor(name)`` returns an :class:`Extractor`:

- ``"inception"``: clean-fid's Inception-v3 (the 2015-12-05 TF graph as TorchScript),
  2048-d pool features and 1008-way probabilities for the Inception Score, in one of the
  two resize modes of :data:`FID_MODES`: ``legacy_tensorflow`` (images quantised to uint8
  by the caller, resized to 299x299 inside the graph by TF1's bilinear resize: the
  official TF FID of Heusel et al., whose numbers it matches) or ``clean`` (PIL bicubic to
  299x299 on float images). Its weights are never downloaded here: when the file is
  missing, :class:`MissingWeights` says where to put it.
- ``"randproj-v1"``: an offline substitute, a fixed random conv net (numpy-seeded He
  weights, 3 conv layers + ReLU + average pooling, 256-d features) on images resized to
  32x32. Deterministic and dependency-free; its numbers are NOT comparable with
  Inception-based FIDs from papers.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .images import as_nchw255, is_torch

# FID resize modes (clean-fid's names) and what each does to an image before the network
FID_MODES = ("legacy_tensorflow", "clean")
RESIZE = {
    "legacy_tensorflow": "legacy_tensorflow (uint8 images, TF1 bilinear resize to 299)",
    "clean": "clean (float images, PIL bicubic resize to 299)",
}

INCEPTION_FILE = "inception-2015-12-05.pt"
INCEPTION_URL = (
    "https://nvlabs-fi-cdn.nvidia.com/stylegan2-ada-pytorch/pretrained/metrics/" + INCEPTION_FILE
)
RANDPROJ_SEED = 20240607


class MissingWeights(RuntimeError):
    """A feature extractor's weights file is not on this machine (no download is tried)."""


def inception_dir() -> str:
    """Where clean-fid looks for the Inception weights (override: $REPRODUCE_INCEPTION_DIR)."""
    env = os.environ.get("REPRODUCE_INCEPTION_DIR")
    if env:
        return env
    return "./" if platform.system() == "Windows" else "/tmp"


@dataclass
class Extractor:
    """A named feature extractor: batches of [0,255] NCHW images -> (B, dim) features."""

    name: str
    dim: int
    resize: str
    comparable_with_inception: bool
    batch_fn: Callable[[Any], np.ndarray] = field(repr=False)
    probs_fn: Callable[[Any], np.ndarray] | None = field(default=None, repr=False)
    mode: str = ""  # the FID mode it was built for (FID_MODES), "" when it has none

    def features(self, images: Any, batch_size: int = 100) -> np.ndarray:
        """Features (N, dim), float64, of images in [0,255] (NCHW or NHWC)."""
        return self._map(self.batch_fn, images, batch_size)

    def probs(self, images: Any, batch_size: int = 100) -> np.ndarray:
        """Class probabilities (N, K) for the Inception Score, when the extractor has them."""
        if self.probs_fn is None:
            raise ValueError(f"extractor {self.name!r} has no classifier head")
        return self._map(self.probs_fn, images, batch_size)

    @staticmethod
    def _map(fn: Callable[[Any], np.ndarray], images: Any, batch_size: int) -> np.ndarray:
        if not is_torch(images):
            images = as_nchw255(images)
        outs = [fn(images[i : i + batch_size]) for i in range(0, len(images), batch_size)]
        return np.concatenate(outs).astype(np.float64)


def _device(device: str | None) -> Any:
    import torch

    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def _tensor(batch: Any, device: Any) -> Any:
    import torch

    if not is_torch(batch):
        batch = torch.from_numpy(as_nchw255(batch))
    elif batch.ndim == 4 and batch.shape[1] == 1:
        batch = batch.repeat(1, 3, 1, 1)
    return batch.to(device=device, dtype=torch.float32)


def clean_resize(images: np.ndarray) -> np.ndarray:
    """clean-fid's ``clean`` resize of an NCHW batch: PIL bicubic to 299x299 per channel on
    float images (``cleanfid.resize.build_resizer("clean")``, which needs no network)."""
    from cleanfid.resize import build_resizer

    resize = build_resizer("clean")
    x = as_nchw255(images)
    return np.stack([resize(im.transpose(1, 2, 0)).transpose(2, 0, 1) for im in x])


def check_mode(mode: str) -> str:
    """``mode`` when it is one of :data:`FID_MODES`, else ValueError."""
    if mode not in FID_MODES:
        raise ValueError(f"unknown FID mode {mode!r}; known: {', '.join(FID_MODES)}")
    return mode


def _inception(device: str | None = None, weights_dir: str | None = None,
               mode: str = "clean") -> Extractor:
    path_dir = weights_dir or inception_dir()
    path = os.path.join(path_dir, INCEPTION_FILE)
    if not os.path.isfile(path):
        raise MissingWeights(
            f"Inception weights not found: {path} is missing; download {INCEPTION_URL} "
            f"and put it in {path_dir} (or set REPRODUCE_INCEPTION_DIR), "
            "or use extractor='randproj-v1' (offline, not comparable with papers)"
        )
    check_mode(mode)  # an unknown mode fails before the network loads
    import torch
    from cleanfid.inception_torchscript import InceptionV3W

    dev = _device(device)
    legacy = mode == "legacy_tensorflow"  # the TF graph resizes inside, as TTUR's FID
    model = InceptionV3W(path_dir, download=False, resize_inside=legacy).to(dev).eval()

    def prepared(batch: Any) -> Any:
        if legacy:
            return _tensor(batch, dev)
        x = clean_resize(batch.detach().cpu().numpy() if is_torch(batch) else batch)
        return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)).to(dev)

    @torch.no_grad()
    def feats(batch: Any) -> np.ndarray:
        return model(prepared(batch)).cpu().numpy()

    @torch.no_grad()
    def probs(batch: Any) -> np.ndarray:
        # The TorchScript graph resizes internally; no_output_bias as in the original IS.
        x = _tensor(batch, dev)
        return model.base(x, no_output_bias=True).cpu().numpy()

    return Extractor("inception", 2048, RESIZE[mode], True, feats, probs, mode)


def _randproj_weights(seed: int = RANDPROJ_SEED) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    shapes = [(64, 3, 3, 3), (128, 64, 3, 3), (256, 128, 3, 3)]
    return [
        (rng.standard_normal(s) * np.sqrt(2.0 / np.prod(s[1:]))).astype(np.float32)
        for s in shapes
    ]


def _randproj(device: str | None = None, mode: str = "clean") -> Extractor:
    import torch
    import torch.nn.functional as F

    dev = _device(device or "cpu")
    weights = [torch.from_numpy(w).to(dev) for w in _randproj_weights()]

    @torch.no_grad()
    def feats(batch: Any) -> np.ndarray:
        x = _tensor(batch, dev)
        if x.shape[-2:] != (32, 32):
            x = F.interpolate(x, size=(32, 32), mode="bilinear", antialias=True,
                              align_corners=False)
        x = x / 127.5 - 1.0
        for i, w in enumerate(weights):
            x = F.relu(F.conv2d(x, w, padding=1))
            if i < len(weights) - 1:
                x = F.avg_pool2d(x, 2)
        return x.mean(dim=(2, 3)).cpu().numpy()

    check_mode(mode)  # its own 32x32 resize in every mode; the mode decides the quantisation
    return Extractor("randproj-v1", 256, "bilinear+antialias 32 (torch)", False, feats,
                     mode=mode)


_REGISTRY: dict[str, Callable[..., Extractor]] = {
    "inception": _inception,
    "randproj-v1": _randproj,
}


def available_extractors() -> list[str]:
    """Names accepted by :func:`get_extractor`."""
    return sorted(_REGISTRY)


_BUILT: dict[tuple[str, tuple[tuple[str, Any], ...]], Extractor] = {}


def get_extractor(name: str | Extractor, **kwargs: Any) -> Extractor:
    """The extractor called ``name`` (kwargs: ``device``, ``mode`` (FID_MODES); ``weights_dir``
    for inception).

    Built once per (name, kwargs) and reused within the process.
    """
    if isinstance(name, Extractor):
        return name
    if name not in _REGISTRY:
        raise ValueError(f"unknown feature extractor {name!r}; known: {available_extractors()}")
    key = (name, tuple(sorted(kwargs.items())))
    if key not in _BUILT:
        _BUILT[key] = _REGISTRY[name](**kwargs)
    return _BUILT[key]
