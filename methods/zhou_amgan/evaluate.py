"""Evaluation of the AM-GAN family: Inception Score, AM Score, MS-SSIM, |dG/dz| (torch)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from methods.engine import cache_root
from methods.zhou_amgan.model import ZhouGAN
from reproduce import metrics as M
from reproduce.data.images import ImageSet


def _entropy(p: np.ndarray) -> np.ndarray:
    return -(p * np.log(np.where(p > 0, p, 1.0))).sum(axis=-1)


def g_noise_grad(G: nn.Module, z: torch.Tensor, y: torch.Tensor | None) -> float:
    """Mean over samples of sum_{j, pixels} |dG(z)_pixel / dz_j| (forward-mode, per z dim)."""
    from torch.func import jvp, vmap

    n, d = z.shape
    tangents = torch.eye(d, device=z.device)[:, None, :].expand(d, n, d)

    def column(t: torch.Tensor) -> torch.Tensor:
        return jvp(lambda zz: G(zz, y), (z,), (t,))[1]

    with torch.no_grad():
        jac = vmap(column)(tangents)  # (d, n, C, H, W)
    return float(jac.abs().sum(dim=(0, 2, 3, 4)).mean())


class ZhouEvaluator:
    """Builds the data-set classifier once (outside the training RNG), then scores G."""

    def __init__(self, p: Any, data: ImageSet, dataset: str, seed: int,
                 device: str) -> None:
        self.p, self.device = p, device
        self.eval_seed = 1_000_003 * (seed + 1)  # fixed noise across the run's evaluations
        arch, recipe, epochs = p.am_classifier, p.am_recipe, p.am_epochs
        key = f"{dataset}-{data.image_size}px-{data.channels}ch-{recipe}{epochs}"
        images, labels = data.arrays()  # read once: the classifier's cache key hashes them
        with torch.random.fork_rng(devices=[]):
            self.clf, _ = M.load_or_train_classifier(
                key, (images, labels), cache_dir=str(cache_root()),
                num_classes=data.num_classes, arch=arch, recipe=recipe, epochs=epochs,
                seed=0, device=device)
            self.c_train = M.predict_probs(self.clf, images, device=device).mean(axis=0)
        self.am_name = f"{arch} trained on {key} ({recipe} recipe, {epochs} epochs)"
        if p.is_extractor == "inception":
            # no weights file: MissingWeights, one line saying where to put it
            self.inception = M.get_extractor("inception", device=device)
            self.is_name = "inception-v3 (clean-fid TorchScript, ImageNet)"
        else:
            self.inception = None
            self.is_name = (f"SUBSTITUTE {self.am_name} (not inception-v3; not comparable "
                            "with the paper)")

    def __call__(self, step: int, method: ZhouGAN, G: nn.Module) -> dict[str, Any]:
        p = self.p
        n = p.n_eval_samples
        x, y_pre = method.sample(n, self.eval_seed, G)
        imgs = M.to_255(x).numpy()
        probs = M.predict_probs(self.clf, imgs, device=self.device)
        kl, ent = M.am_score_terms(probs, self.c_train)
        is_probs = self.inception.probs(imgs) if self.inception is not None else probs
        is_mean, is_std = M.inception_score(is_probs, splits=p.is_splits)
        out: dict[str, Any] = {
            "inception_score": is_mean, "inception_score_std": is_std,
            "is_marginal_entropy": float(_entropy(is_probs.mean(axis=0))),
            "is_mean_entropy": float(_entropy(is_probs).mean()),
            "inception_score_extractor": self.is_name,
            "am_score": kl + ent, "am_kl": kl, "am_entropy": ent,
            "am_score_extractor": self.am_name,
            "am_classifier_cache": str(getattr(self.clf, "cache_key", "")),
        }
        if p.msssim_pairs > 0:
            labels, how = self._classes(method, x, y_pre, probs)
            ms = M.intra_class_msssim(imgs, labels, n_pairs=p.msssim_pairs,
                                      seed=self.eval_seed % 2**32)
            out.update(msssim_max=ms["max"], msssim_mean=ms["mean"], msssim_labels=how)
        n_grad = p.g_grad_samples
        if n_grad > 0:
            gen = torch.Generator().manual_seed(self.eval_seed + 1)
            z = torch.randn(n_grad, method.z_dim, generator=gen).to(self.device)
            y = (torch.arange(n_grad) % method.k).to(self.device) if method.cond else None
            out["g_noise_grad"] = g_noise_grad(G, z, y)
        return out

    @staticmethod
    def _classes(method: ZhouGAN, x: torch.Tensor, y_pre: torch.Tensor | None,
                 probs: np.ndarray) -> tuple[np.ndarray, str]:
        """The class of each fake for MS-SSIM: predefined label, D's argmax, classifier's."""
        if y_pre is not None:
            return y_pre.numpy(), "predefined label"
        d_arg = method.d_class_argmax(x)
        if d_arg is not None:
            return d_arg, "D's argmax over the K class logits"
        return probs.argmax(axis=1), "AM classifier's argmax"
