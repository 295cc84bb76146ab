"""Evaluation metrics: FID (clean-fid), IS, AM Score, MS-SSIM, clustering, P/R, errors.

Nothing here imports from ``methods`` or from the rest of ``reproduce``. Modules that
need torch import it lazily, except the classifier ones (loaded on first attribute use).
See docs/METRICS.md for each metric's convention and reference test.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .am_score import am_score, am_score_terms
from .classification import classification_error
from .clustering import ari, clustering_accuracy, clustering_report, contingency, nmi, purity
from .extractors import FID_MODES, Extractor, MissingWeights, available_extractors, get_extractor
from .fid import (
    compute_fid,
    feature_stats,
    fid_fields,
    fid_from_features,
    frechet_distance,
    real_stats,
)
from .images import as_nchw255, to_255
from .inception_score import inception_score
from .linear_probe import linear_separability
from .msssim import intra_class_msssim, ms_ssim
from .precision_recall import knn_radii, precision_recall
from .sampling import collect, generator_sampler, sample_labels

_LAZY = {
    "SmallCNN": "classifier_nets",
    "DenseNetBC": "classifier_nets",
    "build_classifier": "classifier_nets",
    "train_classifier": "classifier",
    "predict_probs": "classifier",
    "load_or_train_classifier": "classifier",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FID_MODES", "Extractor", "MissingWeights", "am_score", "am_score_terms", "ari", "as_nchw255",
    "available_extractors", "classification_error", "clustering_accuracy",
    "clustering_report", "collect", "compute_fid", "contingency", "feature_stats",
    "fid_fields", "fid_from_features", "frechet_distance", "generator_sampler", "get_extractor",
    "inception_score", "intra_class_msssim", "knn_radii", "linear_separability", "ms_ssim",
    "nmi", "precision_recall", "purity", "real_stats", "sample_labels", "to_255",
    *_LAZY,
]
