"""Registration of ``watanabe_selflabel`` (torch-free): Watanabe & Favaro, "A Unified
Generative Adversarial Network Training via Self-Labeling and Self-Attention".

One trainer for every trained cell of the paper's Tables 1-8 and Figures 4, 5 and 7:

- a class-conditional BigGAN G(z, c), c uniform over K artificial classes
  (``num_clusters``), and a U-Net D with a 2K-output conditional head (multi-class
  hinge, real classes 0..K-1, fake classes K..2K-1) and a per-pixel unconditional head
  (hinge); methods/nets/biggan.py, methods/nets/unet_d.py;
- the teacher C (ResNet18, K outputs) trained on fakes only (Eq. 7, RandAugment), whose
  EMA self-labels the real images (Eq. 8, after flip + 4 px shift) with reliability p_c
  (Eq. 9); methods/watanabe/teacher.py;
- L_D^C (Eq. 11) for any label rate; ``cond_loss`` picks which labels feed it (see
  methods/watanabe/losses.py: ``both`` = Table 4 (C), ``real`` = the cGAN of Table 4 (B),
  ``artificial``, ``eq11`` = Eq. 11 literally, ``none`` = the unconditional BigGAN);
- ``self_labeling`` / ``self_attention`` switch the teacher-label term and its threshold
  ``threshold`` (Table 1 (A), (B), (C)); ``label_rate`` is the share of training images
  whose real label is kept (Figure 7, Table 6), chosen with ``split_seed``.

Schedule: an epoch is ``len(train set) / batch_size`` D steps (real batches of 64), i.e.
``/ d_steps`` G steps; ``max_steps_per_epoch`` > 0 caps the G steps of an epoch (smoke
runs). ``d_steps`` = 4, Adam lr 2e-4 betas (0, 0.999), z 128, width 256, G EMA 0.9999
from G step 1000 and the DiffAugment policy translation,cutout are the DiffAugment
BigGAN-CIFAR settings (REFERENCES.md; the paper gives none of them). Each D step runs
Algorithm 1 in order: teacher step (Eq. 7 + EMA), self-labeling of the real batch (Eqs.
8, 9), D step (Eqs. 1, 11 + R1 + CutMix consistency); each G step Eqs. 2 + 4.

Evaluation every ``eval_every_epochs`` epochs on the EMA G: ``fid`` on
``n_eval_samples`` samples (balanced labels) against ``fid_n_real`` training images
(0 = all; a fixed random subset) with the extractor ``fid_extractor`` ("inception" =
clean-fid's Inception-v3, the paper's protocol; "randproj-v1" = the offline substitute,
NOT comparable with the paper), named in the string field ``fid_extractor``; with a
teacher: ``teacher_acc`` (%, Hungarian one-to-one matching of the EMA teacher's argmax to
the test split's classes), ``dominant_class_ratio`` (Figure 4: per artificial label, the
share of the most frequent real class among the test images with p_c >=
``probe_threshold``, averaged over the labels with any such image),
``selected_fraction`` (share of test images with p_c >= ``probe_threshold``),
``dominant_class_share`` (Figure 5b/5d, only with ``probe_class``: the share of that
class within the artificial label it dominates most, at ``probe_threshold``; these two
at the final evaluation only, and absent when no test image is selected),
``train_selected_fraction`` (share of the real images self-attention kept since the last
evaluation). ``probe_*`` only change the evaluation: a run whose config differs from a
finished run of the same store only in them reuses that run's final model.
"""

from __future__ import annotations

from methods.params import PROBABILITY, at_least, one_of, standard_rules
from methods.registry import MethodInfo, register

DEFAULTS: dict[str, object] = {
    # data and schedule
    "image_size": 32,  # 32 (CIFAR-10, SVHN) or 48 (STL-10)
    "channels": 3,
    "epochs": 40,  # 40 unlabeled, 60 labeled (section 4)
    "max_steps_per_epoch": 0,  # > 0: cap on G steps per epoch (smoke)
    "d_steps": 4,  # D steps per G step (DiffAugment BigGAN-CIFAR)
    "eval_every_epochs": 1,
    "checkpoint_every_epochs": 1,
    "batch_size": 64,  # fakes, labelled reals, unconditional loss (section 4)
    "batch_size_selflabeled": 128,  # reals for the self-label term (section 4)
    # the method (sections 3.1, 3.2)
    "num_clusters": 10,  # K
    "threshold": 0.95,  # Th
    "self_labeling": True,
    "self_attention": True,
    "label_rate": 0.0,  # share of training images with their real label
    "split_seed": 0,
    "cond_loss": "both",  # both | eq11 | real | artificial | none
    "attention_norm": "selected",  # selected (Eq. 11's mean) | batch (Algorithm 1)
    # teacher (section 4; lr and weight decay: FixMatch's)
    "teacher_arch": "resnet18",  # resnet18 | resnet18-tiny
    "teacher_batch_size": 64,
    "teacher_lr": 0.03,
    "teacher_momentum": 0.9,
    "teacher_weight_decay": 5e-4,
    "teacher_ema": 0.999,
    "randaugment_ops": 2,
    "randaugment_magnitude": 9,
    "weak_shift": 4,
    # BigGAN (DiffAugment BigGAN-CIFAR settings)
    "z_dim": 128,
    "g_ch": 256,
    "d_ch": 256,
    "lr_g": 2e-4,
    "lr_d": 2e-4,
    "beta1": 0.0,
    "beta2": 0.999,
    "ema_decay": 0.9999,
    "ema_start": 1000,
    "r1_weight": 10.0,  # section 4
    "diffaug_policy": "translation,cutout",
    "cutmix_weight": 1.0,  # U-Net GAN consistency weight
    "cutmix_prob": 0.5,  # final CutMix probability (U-Net GAN)
    "cutmix_warmup_epochs": 10,  # linear ramp of the probability (ours)
    # evaluation
    "n_eval_samples": 50000,
    "fid_extractor": "inception",  # inception | randproj-v1 (offline substitute)
    "fid_n_real": 50000,  # 0: every training image
    "n_teacher_eval": 0,  # test images for the teacher metrics (0: all)
    "probe_threshold": 0.95,  # Figures 4, 5
    "probe_class": "",  # Figure 5b/5d: a class name of the data set
    "device": "auto",  # auto | cpu | cuda
}

CHOICES: dict[str, tuple[object, ...]] = {
    "cond_loss": ("both", "eq11", "real", "artificial", "none"),
    "attention_norm": ("selected", "batch"),
    "teacher_arch": ("resnet18", "resnet18-tiny"),
    "fid_extractor": ("inception", "randproj-v1"),
    "image_size": (32, 48),
    "device": ("auto", "cpu", "cuda"),
}

PROBE_PARAMS = ("probe_threshold", "probe_class")

METRICS = ("fid", "teacher_acc", "dominant_class_ratio", "selected_fraction",
           "dominant_class_share", "train_selected_fraction", "sample_std")

INFO = register(
    MethodInfo(
        name="watanabe_selflabel",
        rules={**standard_rules(DEFAULTS), **{k: one_of(*v) for k, v in CHOICES.items()},
               "label_rate": PROBABILITY, "threshold": PROBABILITY, "num_clusters": at_least(1),
               "teacher_ema": PROBABILITY, "ema_decay": PROBABILITY, "cutmix_prob": PROBABILITY,
               "probe_threshold": PROBABILITY, "channels": one_of(1, 3),
               "z_dim": at_least(1), "g_ch": at_least(1), "d_ch": at_least(1)},
        trainer="methods.watanabe.trainer:train",
        evaluator="methods.watanabe.trainer:evaluate",
        defaults=DEFAULTS,
        metrics=METRICS,
        paper="watanabe",
        description="BigGAN G(z, c) + U-Net D with 2K-way multi-class hinge head; EMA teacher "
        "trained on fakes self-labels reals (Eq. 8), kept when p_c >= Th (Eq. 9); "
        "L_D^C (Eq. 11) for any label rate",
        # GPU-hours: ESTIMATED, not measured (no GPU was available when this was written):
        # FLOPs per image counted from the layer shapes at width 256, 32x32: G ~1.7 GMAC,
        # U-Net D ~3.3 GMAC (encoder 1.1, decoder 2.2), ResNet18 0.56 GMAC. One D step (128
        # + 64 + ~32 CutMix images through D, fwd + bwd + R1, G fakes, teacher fwd/bwd on 64
        # and EMA labels of 128) ~8 TFLOP; a G step (4 D steps + G update) ~34 TFLOP; 40
        # epochs of CIFAR-10 = 31,250 D steps = 7,812 G steps ~2.7e17 FLOP -> ~1.5 h at ~50
        # TFLOP/s sustained (TF32) + RandAugment per image on one CPU core (2M images, ~0.4-0.8
        # ms each measured: ~15-30 min) + 40 evaluations of 50k samples with Inception FID
        # (~1-2 min each) = ~3 h per run.
        # cost_cpu_seconds: only used for CPU profiles (`plan` counts GPU-hours for the
        # paper profile): one smoke-profile run, measured (~25-35 s wall with 2 runs in
        # parallel on the shared 2-core machine, 1 thread each; ~5 s of it is imports).
        cost_cpu_seconds=30.0,
        gpu_hours=3.0,
        cost_note="GPU-hours ESTIMATED from FLOP counts (no GPU measurement): ~3 GPU-hours per "
        "paper-scale CIFAR-10/SVHN run (40 epochs) on an A100/H100-class GPU (range 2-5 h), "
        "x1.5 for the 60-epoch labeled runs, ~10 GPU-hours per STL-10 run (48x48, 105k "
        "images); the paper used one RTX 2080 Ti (CIFAR-10, SVHN) or Quadro RTX 6000 "
        "(STL-10) per run. CPU figure: one smoke run (digits, tiny nets), measured ~30 s",
    )
)


def check_params(p: dict[str, object]) -> None:
    """Raise ParamError on a value outside its declared type, choices or range."""
    INFO.check(p)
