"""Evaluation of watanabe runs: FID of the EMA generator, and the teacher's agreement with
the real classes of the test split (Figures 4, 5, the accuracy of section 4) (torch)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch import nn

from methods.engine import cache_root
from methods.watanabe.model import WatanabeGAN
from reproduce import metrics as M
from reproduce.data.images import ImageSet

EXTRACTOR_NAMES = {
    "inception": "inception-v3 (clean-fid TorchScript, pool3 2048-d)",
    "randproj-v1": "SUBSTITUTE randproj-v1 (random conv net, 256-d; not comparable with "
                   "Inception FIDs or the paper)",
}



def selected_groups(y_true: np.ndarray, y_hat: np.ndarray, p_c: np.ndarray,
                    threshold: float) -> dict[int, np.ndarray]:
    """For each artificial label, the real classes of the images assigned to it with
    reliability p_c >= threshold (labels with no such image are left out)."""
    keep = p_c >= threshold
    return {int(k): y_true[keep & (y_hat == k)] for k in np.unique(y_hat[keep])}


def dominant_class_ratio(y_true: np.ndarray, y_hat: np.ndarray, p_c: np.ndarray,
                         threshold: float) -> float | None:
    """Figure 4: the share of the most frequent real class among the selected images of
    each artificial label, averaged over the labels that have any (None if none has)."""
    groups = selected_groups(y_true, y_hat, p_c, threshold)
    if not groups:
        return None
    return float(np.mean([np.bincount(g).max() / len(g) for g in groups.values()]))


def dominant_class_share(y_true: np.ndarray, y_hat: np.ndarray, p_c: np.ndarray,
                         threshold: float, cls: int) -> float | None:
    """Figure 5b/5d: pick the artificial label that class ``cls`` dominates most (over
    every image, p_c >= 0: among labels whose most frequent class is ``cls``, the one with
    the largest share of it; if it dominates none, the label with its largest share), and
    return the share of ``cls`` among that label's images with p_c >= threshold (None if
    it has none)."""
    labels = np.unique(y_hat)
    shares = np.array([np.mean(y_true[y_hat == k] == cls) for k in labels])
    dominated = np.array([np.bincount(y_true[y_hat == k]).argmax() == cls for k in labels])
    pool = np.flatnonzero(dominated) if dominated.any() else np.arange(len(labels))
    k = labels[pool[np.argmax(shares[pool])]]
    sel = y_true[(y_hat == k) & (p_c >= threshold)]
    return float(np.mean(sel == cls)) if len(sel) else None


class WatanabeEvaluator:
    """FID (+ teacher metrics when the run has a teacher); its own seeds only."""

    def __init__(self, p: Any, train: ImageSet, test: ImageSet | None,
                 dataset: str, seed: int, device: str) -> None:
        self.p, self.train, self.device = p, train, device
        self.final_step = 0  # the trainer sets the run's last step (probe metrics there)
        self.eval_seed = 1_000_003 * (seed + 1)  # the same noise at every evaluation
        name = p.fid_extractor
        # no weights file: MissingWeights, one line saying where to put it
        self.extractor = M.get_extractor(name, device=device, mode=p.fid_mode)
        self.extractor_name = EXTRACTOR_NAMES[name]
        n_real = p.fid_n_real
        self.n_real = len(train) if n_real <= 0 else min(n_real, len(train))
        self.fid_key = f"{dataset}-{train.image_size}px-{train.channels}ch"
        self.test_x: torch.Tensor | None = None
        if test is not None:
            n = p.n_teacher_eval
            images, labels = test.arrays(max_n=n if n > 0 else None, seed=0)
            self.test_x = torch.from_numpy(images).float().div_(127.5).sub_(1.0)
            self.test_y = labels.astype(np.int64)
            names = list(getattr(test, "class_names", []) or [])
            cls = p.probe_class
            if cls and cls not in names:
                raise ValueError(f"probe_class {cls!r} is not a class of {dataset}: {names}")
            self.probe_cls = names.index(cls) if cls else None

    def _real(self) -> np.ndarray:
        return self.train.arrays(max_n=self.n_real, seed=0)[0]

    def _fakes(self, method: WatanabeGAN, G: nn.Module) -> Iterator[torch.Tensor]:
        for x, _ in method.sample_batches(self.p.n_eval_samples, self.eval_seed, G):
            yield M.to_255(x)

    def __call__(self, step: int, method: WatanabeGAN, G: nn.Module) -> dict[str, Any]:
        rec = M.compute_fid(self._fakes(method, G), self._real, extractor=self.extractor,
                            dataset=self.fid_key, split="train", n_real=self.n_real,
                            cache_dir=str(cache_root()), method="eigh")
        out: dict[str, Any] = M.fid_fields(rec, self.extractor_name)
        frac = method.pop_selection_fraction()
        if frac is not None:
            out["train_selected_fraction"] = frac
        if method.teacher is not None and self.test_x is not None:
            out.update(self.teacher_metrics(method, probes=step >= self.final_step))
        return out

    def teacher_metrics(self, method: WatanabeGAN, probes: bool = True) -> dict[str, float]:
        """Accuracy after Hungarian matching and the share selected at the probe threshold;
        with ``probes``, the dominant-class ratio / share at the probe threshold. The trainer
        asks for those at the final evaluation only: they are undefined when no image is
        selected, and a reducer must never fall back to an earlier epoch's value."""
        assert method.teacher is not None and self.test_x is not None
        y_hat_t, p_c_t = method.teacher.predict(self.test_x)
        y_hat, p_c, y = y_hat_t.numpy(), p_c_t.numpy(), self.test_y
        th = self.p.probe_threshold
        out = {"teacher_acc": 100.0 * M.clustering_accuracy(y, y_hat),
               "selected_fraction": float(np.mean(p_c >= th))}
        if not probes:
            return out
        ratio = dominant_class_ratio(y, y_hat, p_c, th)
        if ratio is not None:
            out["dominant_class_ratio"] = ratio
        if self.probe_cls is not None:
            share = dominant_class_share(y, y_hat, p_c, th, self.probe_cls)
            if share is not None:
                out["dominant_class_share"] = share
        return out
