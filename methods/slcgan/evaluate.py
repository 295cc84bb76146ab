"""Evaluation of noroozi_slcgan runs: IS and FID of G; clustering accuracy, purity, NMI and
linear separability of C; the cluster lengths of Figure 4 (torch)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from methods.engine import cache_root
from methods.slcgan.model import SlcGAN
from reproduce import metrics as M
from reproduce.data.images import ImageSet


def feature_extractor(name: str, device: str) -> tuple[M.Extractor, str]:
    """The named extractor and how a record names it (substitutes say so)."""
    ext = M.get_extractor(name, device=device)
    label = f"{ext.name} ({ext.dim}-d features, resize {ext.resize})"
    if not ext.comparable_with_inception:
        label = f"SUBSTITUTE {label}: not comparable with Inception FIDs or the paper"
    return ext, label


@torch.no_grad()
def c_outputs(C: nn.Module, images: np.ndarray, device: str, batch_size: int = 500
              ) -> tuple[np.ndarray, np.ndarray]:
    """C's argmax and penultimate features for uint8 NCHW images."""
    preds, feats = [], []
    for i in range(0, len(images), batch_size):
        x = torch.from_numpy(images[i : i + batch_size]).to(device).float() / 127.5 - 1.0
        f = C.features(x)
        preds.append(C.fc(f).argmax(1).cpu())
        feats.append(f.float().cpu())
    return torch.cat(preds).numpy(), torch.cat(feats).numpy()


def cluster_sizes(preds: np.ndarray, feats: np.ndarray, k: int, source: str, seed: int
                  ) -> np.ndarray:
    """The K cluster lengths: of C's argmax, or of k-means (K clusters) on C's features."""
    if source == "kmeans":
        from sklearn.cluster import KMeans

        km = KMeans(n_clusters=k, init="k-means++", n_init=1, random_state=seed)
        preds = km.fit_predict(feats.astype(np.float64))
    return np.bincount(preds, minlength=k)


def probe(train_feats: np.ndarray, train_y: np.ndarray, test_feats: np.ndarray,
          test_y: np.ndarray, epochs: int, device: str) -> float:
    """Linear separability (%): a linear softmax classifier on frozen features (trained
    with gradients on, also inside the engine's ``no_grad`` evaluation)."""
    with torch.enable_grad():
        rec = M.linear_separability(train_feats, train_y, test_feats, test_y, epochs=epochs,
                                    seed=0, device=device)
    return 100.0 * float(rec["test_acc"])


class SlcEvaluator:
    """Scores G (IS, FID) and C (clustering, probe); its own seeds only.

    ``data`` holds the training set, the evaluation split (``eval_split``) and the FID
    reference split, each with its ground-truth labels (``gt_labels``).
    """

    def __init__(self, p: Any, data: dict[str, ImageSet], labels: dict[str, np.ndarray],
                 dataset: str, seed: int, device: str, final_step: int) -> None:
        self.p, self.data, self.labels, self.device = p, data, labels, device
        self.seed, self.final_step = seed, final_step
        self.sizes: np.ndarray | None = None  # cluster lengths of the final evaluation
        self.eval_seed = 1_000_003 * (seed + 1)
        self.fid_ext, self.fid_name = feature_extractor(p.fid_extractor, device)
        ref = data["fid_ref"]
        self.n_real = len(ref) if p.fid_n_real <= 0 else min(p.fid_n_real, len(ref))
        self.fid_key = f"{dataset}-{p.fid_ref_split}-{ref.image_size}px-{ref.channels}ch"
        self.is_probs, self.is_name = self._is_classifier(dataset)

    def _is_classifier(self, dataset: str) -> tuple[Any, str]:
        if self.p.is_extractor == "inception":
            ext, _ = feature_extractor("inception", self.device)
            return ext.probs, "inception-v3 (clean-fid TorchScript, ImageNet)"
        train = self.data["train"]
        key = f"{dataset}-{train.image_size}px-{train.channels}ch-smoke2"
        clf, _ = M.load_or_train_classifier(  # the build's preserved_rng guards the RNG
            key, train.arrays, cache_dir=str(cache_root()), num_classes=train.num_classes,
            arch="small-cnn", recipe="smoke", epochs=2, seed=0, device=self.device)
        name = (f"SUBSTITUTE small-cnn trained on {key} (not inception-v3; not comparable "
                "with the paper)")
        return (lambda imgs: M.predict_probs(clf, imgs, device=self.device)), name

    def __call__(self, step: int, method: SlcGAN, G: nn.Module) -> dict[str, Any]:
        out = self.generation(method, G)
        out.update(self.clustering(method, final=step >= self.final_step))
        return out

    def generation(self, method: SlcGAN, G: nn.Module) -> dict[str, Any]:
        """IS and FID of ``n_eval_samples`` samples (balanced labels)."""
        x, _ = method.sample(int(self.p.n_eval_samples), self.eval_seed, G)
        imgs = M.to_255(x).numpy()
        is_mean, is_std = M.inception_score(self.is_probs(imgs), splits=10)
        ref = self.data["fid_ref"]
        rec = M.compute_fid(imgs, lambda: ref.arrays(max_n=self.n_real, seed=0)[0],
                            extractor=self.fid_ext, dataset=self.fid_key,
                            split=self.p.fid_ref_split, n_real=self.n_real,
                            cache_dir=str(cache_root()), method="eigh")
        return {"inception_score": is_mean, "inception_score_std": is_std,
                "inception_score_extractor": self.is_name, "fid": rec["fid"],
                "fid_extractor": self.fid_name, "fid_n_fake": rec["n_fake"],
                "fid_n_real": rec["n_real"], "fid_ref_split": self.p.fid_ref_split}

    def _subset(self, split: str, n: int) -> tuple[np.ndarray, np.ndarray]:
        data, labels = self.data[split], self.labels[split]
        idx = np.arange(len(data))
        if 0 < n < len(idx):
            idx = np.sort(np.random.default_rng(0).choice(idx, n, replace=False))
        return data.uint8(idx), labels[idx]

    def clustering(self, method: SlcGAN, final: bool) -> dict[str, Any]:
        """Clustering accuracy, purity, NMI, linear separability of C; the cluster lengths
        (:attr:`sizes`) at the final evaluation."""
        C, p = method.nets["C"], self.p
        ev_x, ev_y = self._subset("eval", p.n_cluster_eval)
        tr_x, tr_y = self._subset("train", p.n_probe_train)
        ev_pred, ev_feat = c_outputs(C, ev_x, self.device)
        tr_pred, tr_feat = c_outputs(C, tr_x, self.device)
        out: dict[str, Any] = {
            "cluster_acc": 100.0 * M.clustering_accuracy(ev_y, ev_pred),
            "purity": 100.0 * M.purity(ev_y, ev_pred), "nmi": M.nmi(ev_y, ev_pred),
            "linear_sep": probe(tr_feat, tr_y, ev_feat, ev_y, p.probe_epochs, self.device),
            "n_clusters_used": float(len(np.unique(ev_pred))),
        }
        if final:
            if p.n_cluster_sizes != p.n_probe_train:
                tr_x, _ = self._subset("train", p.n_cluster_sizes)
                tr_pred, tr_feat = c_outputs(C, tr_x, self.device)
            self.sizes = cluster_sizes(tr_pred, tr_feat, method.k, p.cluster_sizes_from,
                                       self.seed)
        return out
