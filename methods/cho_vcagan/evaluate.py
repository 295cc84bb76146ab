"""Evaluation of ``cho_vcagan``: P(C) statistics at every evaluation; FID and improved
precision / recall of the EMA generator at the last step (torch)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch import nn

from methods.cho2d import losses as L
from methods.cho_vcagan.model import ConvVCAGAN
from reproduce import metrics as M
from reproduce.data.images import ImageSet

EXTRACTOR_NAMES = {
    "inception": "inception-v3 (clean-fid TorchScript, pool3 2048-d; grey repeated to RGB)",
    "randproj-v1": "SUBSTITUTE randproj-v1 (random conv net, 256-d; not comparable with "
                   "Inception FIDs or the paper)",
}
EVAL_BATCH = 500


def prior_metrics(prior: np.ndarray) -> dict[str, float]:
    """Entropy of P(C) in nats (Figure 11), categories with P(C) >= 1%, the largest P(C)."""
    return {"pc_entropy": float(L.entropy(torch.from_numpy(prior))),
            "n_categories": float((prior >= 0.01).sum()), "pc_max": float(prior.max())}


class VCAGANEvaluator:
    """Real features once (fixed training images), then the generator's at the last step."""

    def __init__(self, p: Any, data: ImageSet, seed: int, device: str, final_step: int
                 ) -> None:
        self.p, self.device, self.final_step = p, device, final_step
        self.eval_seed = 1_000_003 * (seed + 1)
        self.extractor = M.get_extractor(p.fid_extractor, device=device)
        self.extractor_name = EXTRACTOR_NAMES[p.fid_extractor]
        self.n = min(p.n_eval_samples, len(data))
        real, _ = data.arrays(max_n=self.n, seed=0)
        self.real_feats = self.extractor.features(real)

    def _fakes(self, method: ConvVCAGAN) -> Iterator[torch.Tensor]:
        G = method.nets["G_ema"]
        for i, start in enumerate(range(0, self.n, EVAL_BATCH)):
            x, _ = method.sample(min(EVAL_BATCH, self.n - start), self.eval_seed + i, G)
            yield M.to_255(x.cpu())

    def __call__(self, step: int, method: ConvVCAGAN, G: nn.Module) -> dict[str, Any]:
        """P(C) metrics; at the last step also FID, precision and recall of the EMA G (the
        engine passes the trained G; the step keeps the EMA G as ``nets["G_ema"]``)."""
        out: dict[str, Any] = prior_metrics(method.prior.cpu().double().numpy())
        if step < self.final_step:
            return out
        fake = np.concatenate([self.extractor.features(x) for x in self._fakes(method)])
        pr = M.precision_recall(self.real_feats, fake, k=self.p.pr_k)
        out.update(fid=M.fid_from_features(fake, self.real_feats, method="eigh"),
                   precision=pr["precision"], recall=pr["recall"])
        for key in ("fid", "precision", "recall"):
            out[f"{key}_extractor"] = self.extractor_name
        out.update(fid_mode=self.extractor.mode or "clean", fid_resize=self.extractor.resize,
                   fid_n_fake=len(fake), fid_n_real=len(self.real_feats),
                   fid_reference="the training images", fid_split="train")
        return out
