"""Registration of ``real_data`` (torch-free): scores a data set's own images, trains nothing.

The rows that papers print for real images: zhou Table 3 "Real data" (the Inception
Score of the CIFAR-10 training images), zhou's real-entropy table (the mean entropy
E_x[H(C(x))] of the Inception classifier over one class's training images, section 6.2;
the share of training images with H(C(x)) < 0.05 under the CIFAR-10 classifier, section
6.4) and liu Table 3's "Ground truth" (the IS of real images).

The images are the ``split`` of the run's data set at ``image_size`` / ``channels`` (grey
repeated to 3 channels), the class ``class_index`` (-1: every class), at most
``n_eval_samples`` of them (0: all; otherwise a fixed random subset, seed 0).

Metrics: ``inception_score`` (+ ``_std`` over ``is_splits`` splits) and
``inception_entropy`` from ``is_extractor`` ("inception": clean-fid's Inception-v3, the
papers' model; "am_classifier": the data-set classifier as the offline substitute, NOT
comparable), and, with ``with_classifier``, ``low_entropy_share`` (% of the images whose
entropy under the data-set classifier ``am_classifier``, trained by ``am_recipe`` for
``am_epochs`` and cached as zhou_amgan's AM classifier is, is below
``low_entropy_threshold``); with a ``fid_reference_split``, ``fid`` of the images against
every image of that split (the FID floor of real data; ``fid_extractor`` as the
generators' FID). Each record names its extractors and the class it scored.
"""

from __future__ import annotations

from methods.params import at_least, between, one_of, standard_rules
from methods.registry import MethodInfo, register

DEFAULTS: dict[str, object] = {
    "split": "train",
    "class_index": -1,  # -1: every class
    "image_size": 32,
    "channels": 3,
    "n_eval_samples": 50000,  # 0: every image of the split (or class)
    "is_extractor": "inception",  # "inception" | "am_classifier" (offline substitute)
    "is_splits": 10,
    "with_classifier": True,  # also the data-set classifier's low-entropy share
    "am_classifier": "densenet-bc-40-40",  # "densenet-bc-40-40" (zhou) | "small-cnn"
    "am_recipe": "paper",
    "am_epochs": 300,
    "low_entropy_threshold": 0.05,  # nats (zhou section 6.4)
    "fid_reference_split": "",  # "": no FID; else FID of the images against this split
    "fid_extractor": "inception",  # inception | randproj-v1 (offline substitute)
    "device": "auto",
}

METRICS = ("inception_score", "inception_score_std", "inception_entropy",
           "low_entropy_share", "fid", "n_images")

PAPER_VALUES: dict[str, tuple[object, str]] = {
    "low_entropy_threshold": (0.05, "zhou section 6.4 ('scores less than 0.05')"),
}

INFO = register(
    MethodInfo(
        name="real_data",
        rules={**standard_rules(DEFAULTS),
               "split": one_of("train", "test", "unlabeled", "train+unlabeled", "extra"),
               "class_index": at_least(-1), "image_size": at_least(8),
               "channels": one_of(1, 3), "is_extractor": one_of("inception", "am_classifier"),
               "is_splits": at_least(1),
               "am_classifier": one_of("densenet-bc-40-40", "small-cnn"),
               "am_recipe": one_of("paper", "smoke"), "am_epochs": at_least(1),
               "low_entropy_threshold": between(0.0, 100.0, low_open=True),
               "fid_reference_split": one_of("", "train", "test", "extra"),
               "fid_extractor": one_of("inception", "randproj-v1")},
        trainer="methods.real_data.trainer:train",
        defaults=DEFAULTS,
        metrics=METRICS,
        paper_values=PAPER_VALUES,
        paper="zhou",
        description="no training: IS, classifier entropy and low-entropy share of a data "
        "set's own images (the papers' 'real data' / 'ground truth' rows)",
        cost_cpu_seconds=3600.0,
        smoke_cpu_seconds=10.0,
        gpu_hours=0.1,
        cost_note="estimated: Inception-v3 on 50k images at 299 x 299 (~6 GFLOP each) is a "
        "few GPU-minutes or ~1 CPU-hour; with_classifier trains the data-set classifier once "
        "per data set (DenseNet-BC 40/40, 300 epochs: ~1-2 GPU-hours, cached and shared with "
        "zhou_amgan's AM Score)",
    )
)
