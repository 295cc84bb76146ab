"""Registration of ``cho_vcagan`` (torch-free): cho (VCAGAN) section 4.2, MNIST.

The losses and the training step are those of ``cho2d`` (Eqs. 7-13, Algorithm 1;
methods/cho2d/losses.py and methods/cho2d/step.py), shared, not copied: images are
flattened to rows ``(B, C*H*W)`` at the step's boundary, so the same shape-agnostic code
computes R2, L_creg and the simultaneous D, Q and G update. Only the networks and the
data differ: a DCGAN-like convolutional G, D (d_c outputs, CAGAN) and a separate Q with
equalized learning rate and no normalisation (methods/nets/eqlr_cnn.py).

Schedule: ``epochs`` x ``steps_per_epoch`` steps through methods/engine (batches of a
seeded permutation of the training images); P(C) starts uniform and is prob-normalized
(Eq. 13) until ``pc_update_epoch``; the G weight EMA is kept by the step.

Evaluation every ``eval_every_epochs`` (the entropy of P(C): the paper's Figure 11 plots
it every 10 epochs): ``pc_entropy`` (nats), ``n_categories`` (P(C) >= 1%), ``pc_max``;
at the last step also ``fid``, ``precision`` and ``recall`` (improved precision / recall,
k = ``pr_k``) of ``n_eval_samples`` samples of the EMA G against as many training images,
with ``fid_extractor`` ("inception": clean-fid's Inception-v3, grey images repeated to 3
channels, the paper's model; "randproj-v1": the offline substitute, NOT comparable),
named in ``fid_extractor`` / ``precision_extractor`` / ``recall_extractor``. The end of
training writes ``grid.npz`` (Figures 7-10): one row per category with P(C) >= 1%,
sorted by P(C), ``grid_columns`` samples per row, column j sharing one z.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from methods.deviations import Deviation
from methods.params import PROBABILITY, at_least, between, one_of, standard_rules
from methods.registry import RESCORE, MethodInfo, register

DEFAULTS: dict[str, object] = {
    "lambda_creg": 10.0,  # Eq. 7; Figures 7-10: 10, 20, 50, 100
    # schedule (section 4.2: 300 epochs, P(C) updated after epoch 50; 1000 steps per epoch)
    "epochs": 300,
    "steps_per_epoch": 1000,
    "pc_update_epoch": 50,
    "eval_every_epochs": 10,
    "checkpoint_every_epochs": 10,
    # losses (section 4.1, "other hyperparameters are the same")
    "lambda_cls": 1.0,
    "lambda_r2": 1.0,
    "pc_ema": 0.999,
    "g_ema": 0.999,
    "d_c": 64,
    # networks and optimiser
    "d_z": 256,
    "width": 64,  # channels of the first D stage / the last G stage
    "image_size": 32,  # MNIST's 28 x 28 resized (the nets need 4 * 2^n)
    "channels": 1,
    "lr": 0.003,
    "beta1": 0.0,
    "beta2": 0.99,
    "batch_size": 32,
    # evaluation
    "n_eval_samples": 32000,
    "fid_extractor": "inception",  # inception | randproj-v1 (offline substitute)
    "pr_k": 3,
    "grid_columns": 10,
    "grid_min_prob": 0.01,
    "device": "auto",
}

METRICS = ("fid", "precision", "recall", "pc_entropy", "n_categories", "pc_max",
           "sample_std")

PAPER_VALUES: dict[str, tuple[object, str]] = {
    "lr": (0.003, "section 4.2"),
    "d_z": (256, "section 4.2"),
    "d_c": (64, "section 4.2"),
    "epochs": (300, "section 4.2"),
    "pc_update_epoch": (50, "section 4.2 ('P(C) was updated after epoch 50')"),
    "steps_per_epoch": (1000, "section 4.1 (section 4.2: 'other hyperparameters are the same')"),
    "beta1": (0.0, "section 4.1"),
    "beta2": (0.99, "section 4.1"),
    "batch_size": (32, "section 4.1"),
    "lambda_r2": (1.0, "section 4.1"),
    "lambda_cls": (1.0, "section 4.1"),
    "pc_ema": (0.999, "section 4.1"),
    "g_ema": (0.999, "section 4.1"),
    "n_eval_samples": (32000, "section 4.2 ('32k training samples were used for evaluation')"),
}

DEVIATIONS = (
    Deviation("networks", "section 4.2: 'The generator, discriminator, and classifier simply "
              "consist of CNNs'", "DCGAN-like, equalized lr, no normalisation, width 64 "
              "(methods/nets/eqlr_cnn.py)", why="no VCAGAN code is public; rows must stay "
              "independent for R2 and L_creg"),
    Deviation("image_size", "silent (MNIST is 28 x 28)", 32,
              why="the nets double the resolution per stage from 4 x 4"),
    Deviation("eq13_constant", "Eq. 13: '+ 1/d_z'", "1/d_c",
              official="the author's CGPGAN code uses 1/K",
              why="the batch average must be a distribution over the d_c categories"),
    Deviation("n_eval_samples", "section 4.2: '32k training samples were used for "
              "evaluation'", 32000, why="read as 32k training images against 32k samples"),
    Deviation("pr_k", "silent (section 4.2 cites Kynkaanniemi et al. for precision and "
              "recall)", 3, why="the k of the metric's authors"),
    Deviation("fid_schedule", "silent", "FID / precision / recall once, after the last step",
              why="the paper reports one value per run"),
    Deviation("fid_mode", "section 4.2: 'All evaluation methods used the Inception model' "
              "(no implementation named)", "clean (float images, PIL bicubic resize to 299), "
              "28 x 28 digits upsampled to 32 x 32 first", why="no TF implementation is "
              "named; the record says the mode and resize"),
    Deviation("equalized learning rate", "section 4.1: 'equalized learning rate [8]'",
              "weights scaled by 1/sqrt(fan_in) at run time (no He gain sqrt(2) before "
              "LeakyReLU)", official="Karras et al. scale by the He constant sqrt(2/fan_in)",
              why="shared with cho2d's batched MLPs; the paper gives no constant"),
)


def relative_work(p: Mapping[str, Any]) -> float:
    """Steps of a run relative to a run at the defaults (for `plan`)."""
    return int(p["epochs"]) * int(p["steps_per_epoch"]) / (
        int(DEFAULTS["epochs"]) * int(DEFAULTS["steps_per_epoch"]))


INFO = register(
    MethodInfo(
        name="cho_vcagan",
        rules={**standard_rules(DEFAULTS), "steps_per_epoch": at_least(1),
               "pc_update_epoch": at_least(0), "eval_every_epochs": at_least(1),
               "checkpoint_every_epochs": at_least(1), "pc_ema": PROBABILITY,
               "g_ema": PROBABILITY, "d_c": at_least(2), "d_z": at_least(1),
               "width": at_least(1), "image_size": one_of(8, 16, 32, 64),
               "channels": one_of(1, 3), "n_eval_samples": at_least(8),
               "fid_extractor": one_of("inception", "randproj-v1"), "pr_k": at_least(1),
               "grid_columns": at_least(1), "grid_min_prob": between(0.0, 1.0)},
        build="methods.cho_vcagan.trainer:build",
        evaluator=RESCORE,
        eval_options={"n_samples": "n_eval_samples", "extractor": "fid_extractor"},
        eval_params=("n_eval_samples", "fid_extractor", "pr_k", "grid_columns",
                     "grid_min_prob"),
        defaults=DEFAULTS,
        metrics=METRICS,
        paper="cho",
        description="VCAGAN (Eqs. 7-13, Algorithm 1, the cho2d step) with CNN G, D, Q on "
        "MNIST: FID, precision / recall, P(C) and sample grids",
        # a paper-size step (batch 32, 32 x 32, width 64, d_c 64) measured at 2.9-3.1 CPU-s
        # on one core (process time); 300k steps plus 32k + 32k Inception features (~2 h)
        cost_cpu_seconds=910_000.0,
        # measured: 86-176 s wall per smoke run (3000 steps at 8 x 8, 1 thread, one run at a
        # time; the 4 smoke runs of examples/store, the latest code the fastest)
        smoke_cpu_seconds=90.0,
        gpu_hours=2.0,
        cost_note="GPU-hours estimated, not measured: a paper-size step (G, D and Q ~0.23 GMAC "
        "per image each, double back-propagation for R2 and L_creg) is ~0.2-0.3 TFLOP, "
        "measured at ~3 CPU-s on one core; 300k steps at an assumed 10-20 ms per step on one "
        "GPU is 0.8-1.7 h, plus ~10 min for 32k + 32k Inception features. On a CPU ~250 "
        "core-hours per run",
        cost_scale=relative_work,
        deviations=DEVIATIONS,
        paper_values=PAPER_VALUES,
    )
)
