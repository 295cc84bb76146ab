"""Evaluation of MED-GAN runs: FID, Inception Score, C's test error, class-wise FID."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from methods.engine import cache_root
from methods.medgan.model import MedGAN
from reproduce import metrics as M
from reproduce.data.images import ImageSet

FID_NAMES = {
    "inception": "inception-v3 (clean-fid TorchScript, pool3 2048-d)",
    "randproj-v1": "SUBSTITUTE randproj-v1 (random conv net, 256-d; not comparable with "
                   "Inception FIDs or the paper)",
}


def classwise_fid(fake_feats: np.ndarray, fake_labels: np.ndarray, real_feats: np.ndarray,
                  real_labels: np.ndarray, num_classes: int) -> np.ndarray:
    """FID of each class between its generated and its real features (NaN for a class
    with fewer than 2 images on either side)."""
    out = np.full(num_classes, np.nan)
    for k in range(num_classes):
        f, r = fake_feats[fake_labels == k], real_feats[real_labels == k]
        if len(f) >= 2 and len(r) >= 2:
            out[k] = M.fid_from_features(f, r, method="eigh")
    return out


class MedGANEvaluator:
    """Scores the generator (and C); randomness from its own seeds only."""

    def __init__(self, p: Any, train: ImageSet, test: ImageSet | None, dataset: str,
                 seed: int, device: str, final_step: int) -> None:
        self.p, self.train, self.device = p, train, device
        self.final_step = final_step  # the class-wise FID is computed there
        self.classwise: np.ndarray | None = None  # per class, once computed
        self.eval_seed = 1_000_003 * (seed + 1)
        self.fid_ext = M.get_extractor(p.fid_extractor, device=device)
        self.n_real = len(train) if p.fid_n_real <= 0 else min(p.fid_n_real, len(train))
        self.key = f"{dataset}-{train.image_size}px-{train.channels}ch"
        self.is_clf, self.is_name = self._is_classifier()
        self.test = test

    def _is_classifier(self) -> tuple[Any, str]:
        p = self.p
        if p.is_extractor == "inception":
            inception = M.get_extractor("inception", device=self.device)
            return inception, "inception-v3 (clean-fid, ImageNet)"
        key = f"{self.key}-{p.am_recipe}{p.am_epochs}"
        clf, _ = M.load_or_train_classifier(
            key, lambda: self.train.arrays(), cache_dir=str(cache_root()),
            num_classes=self.train.num_classes, arch=p.am_classifier, recipe=p.am_recipe,
            epochs=p.am_epochs, seed=0, device=self.device)
        return clf, (f"SUBSTITUTE {p.am_classifier} trained on {key} ({p.am_recipe} recipe, "
                     f"{p.am_epochs} epochs) (not inception-v3; not comparable with the paper)")

    def _probs(self, imgs: np.ndarray) -> np.ndarray:
        if isinstance(self.is_clf, M.Extractor):
            return self.is_clf.probs(imgs)
        return M.predict_probs(self.is_clf, imgs, device=self.device)

    def __call__(self, step: int, method: MedGAN, G: nn.Module) -> dict[str, Any]:
        p = self.p
        x, _ = method.sample(p.n_eval_samples, self.eval_seed, G)
        imgs = M.to_255(x).numpy()
        rec = M.compute_fid(imgs, lambda: self.train.arrays(max_n=self.n_real, seed=0)[0],
                            extractor=self.fid_ext, dataset=self.key, split="train",
                            n_real=self.n_real, cache_dir=str(cache_root()), method="eigh")
        is_mean, is_std = M.inception_score(self._probs(imgs), splits=p.is_splits)
        out: dict[str, Any] = {
            "fid": rec["fid"], "fid_extractor": FID_NAMES[p.fid_extractor],
            "fid_n_fake": rec["n_fake"], "fid_n_real": rec["n_real"],
            "inception_score": is_mean, "inception_score_std": is_std,
            "inception_score_extractor": self.is_name}
        if method.semi and self.test is not None:
            images, labels = self.test.arrays()
            xt = torch.from_numpy(images).float().div_(127.5).sub_(1.0)
            out["test_error"] = 100.0 * M.classification_error(method.classify(xt), labels)
        if p.classwise_fid_samples > 0 and step >= self.final_step:
            self.classwise = self._classwise(method, G)
            out["classwise_fid_mean"] = float(np.nanmean(self.classwise))
        return out

    def _classwise(self, method: MedGAN, G: nn.Module) -> np.ndarray:
        """Figure 6: per class, ``classwise_fid_samples`` samples against the class's
        training images."""
        k, n = self.train.num_classes, self.p.classwise_fid_samples
        labels = np.repeat(np.arange(k), n)
        x, _ = method.sample(len(labels), self.eval_seed + 1, G, labels=labels)
        fake = self.fid_ext.features(M.to_255(x).numpy())
        real_x, real_y = self.train.arrays()
        return classwise_fid(fake, labels, self.fid_ext.features(real_x), real_y, k)
