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

Schedule (Algorithm 1): every training iteration updates the teacher, D and G once each
("We update the teacher, the discriminator, and the generator simultaneously", section
3.2), so ``d_steps`` = 1; an epoch is ``len(train set) / batch_size`` iterations (real
batches of 64), and ``epochs`` = 40 (60 with labels) is the paper's count (section 3.3,
stated for the teacher, which Algorithm 1 updates once per iteration): 31,240 G steps on
CIFAR-10. ``max_steps_per_epoch`` > 0 caps the G steps of an epoch (smoke runs). The
DiffAugment BigGAN-CIFAR code the backbone comes from trains 4 D steps per G step
(``d_steps`` = 4, the reference value, not this paper's). Adam lr 2e-4 betas (0, 0.999),
z 128, width 256, G EMA 0.9999 from G step 1000 and the DiffAugment policy
translation,cutout are that code's settings (REFERENCES.md; the paper gives none of
them). Each iteration runs Algorithm 1 in order: teacher step (Eq. 7 + EMA),
self-labeling of the real batch (Eqs. 8, 9), D step (Eqs. 1, 11 + R1 + CutMix
consistency), G step (Eqs. 2 + 4, both with Algorithm 1's hinges; ``g_uncond_loss``
"linear" gives BigGAN's -D^U(G) instead). Every choice the paper does not state is a
:data:`DEVIATIONS` entry (docs/DEVIATIONS.md).

Evaluation every ``eval_every_epochs`` epochs on the EMA G: ``fid`` on
``n_eval_samples`` samples (balanced labels) against ``fid_n_real`` training images
(0 = all; a fixed random subset) with the extractor ``fid_extractor`` ("inception" =
clean-fid's Inception-v3, the paper's protocol; "randproj-v1" = the offline substitute,
NOT comparable with the paper) in the mode ``fid_mode`` ("legacy_tensorflow": fakes
quantised to uint8 and TF1's resize, as the official TF implementation the paper
names; "clean": clean-fid's float PIL-bicubic resize), recorded in the ``fid_*`` fields
(extractor, mode, resize, samples, reference set, split); with a
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

from methods.deviations import Deviation
from methods.params import PROBABILITY, at_least, one_of, standard_rules
from methods.registry import RESCORE, MethodInfo, register

DEFAULTS: dict[str, object] = {
    # data and schedule
    "image_size": 32,  # 32 (CIFAR-10, SVHN) or 48 (STL-10)
    "channels": 3,
    "epochs": 40,  # 40 unlabeled, 60 labeled (section 4)
    "max_steps_per_epoch": 0,  # > 0: cap on G steps per epoch (smoke)
    "d_steps": 1,  # D steps per G step (Algorithm 1; DiffAugment BigGAN-CIFAR: 4)
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
    "g_uncond_loss": "hinge",  # hinge (Algorithm 1) | linear (BigGAN's -D^U(G))
    "diffaug_policy": "translation,cutout",
    "cutmix_weight": 1.0,  # U-Net GAN consistency weight
    "cutmix_prob": 0.5,  # final CutMix probability (U-Net GAN)
    "cutmix_warmup_epochs": 10,  # linear ramp of the probability (ours)
    # evaluation
    "n_eval_samples": 50000,
    "fid_extractor": "inception",  # inception | randproj-v1 (offline substitute)
    "fid_mode": "legacy_tensorflow",  # legacy_tensorflow (official TF FID) | clean
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
    "fid_mode": ("legacy_tensorflow", "clean"),
    "g_uncond_loss": ("hinge", "linear"),
    "image_size": (32, 48),
}

PROBE_PARAMS = ("probe_threshold", "probe_class")

METRICS = ("fid", "teacher_acc", "dominant_class_ratio", "selected_fraction",
           "dominant_class_share", "train_selected_fraction", "sample_std")

NO_CODE = "no public code"
BIGGAN_CIFAR = "DiffAugment BigGAN-CIFAR (the backbone's reference code, REFERENCES.md)"

# parameters whose value the paper's text states, with where it says so
PAPER_VALUES: dict[str, tuple[object, str]] = {
    "d_steps": (1, "Algorithm 1 (one teacher, D and G update per iteration)"),
    "epochs": (40, "section 3.3 (40 unlabeled, 60 labeled)"),
    "batch_size": (64, "section 3.3"),
    "batch_size_selflabeled": (128, "section 3.3"),
    "num_clusters": (10, "section 3.3 (K = 10)"),
    "threshold": (0.95, "section 3.3 (Th = 0.95)"),
    "teacher_batch_size": (64, "section 3.3"),
    "teacher_momentum": (0.9, "section 3.3"),
    "teacher_ema": (0.999, "section 3.3"),
    "weak_shift": (4, "section 3.3 (shifts between +-4 pixels)"),
    "r1_weight": (10.0, "section 3.3 (gradient penalty weight 10)"),
    "g_uncond_loss": ("hinge", "Algorithm 1 (L_G^U <- Hinge(D^U(G(c, z))))"),
    "n_eval_samples": (50000, "section 4"),
    "fid_extractor": ("inception", "section 4 (Heusel et al.'s implementation)"),
    "fid_mode": ("legacy_tensorflow", "section 4 ('the official implementation')"),
}

DEVIATIONS: tuple[Deviation, ...] = (
    Deviation("d_steps", "section 3.2: 'We update the teacher, the discriminator, and the "
              "generator simultaneously'; Algorithm 1: one update of each per iteration", 1,
              f"{NO_CODE}; {BIGGAN_CIFAR}: 4", "the text's schedule"),
    Deviation("epochs", "section 3.3: 'the number of epochs is 40 and 60 on the unlabeled "
              "and labeled datasets' (said of the teacher)", 40,
              f"{NO_CODE}; {BIGGAN_CIFAR}: on the order of 10^5 G iterations",
              "Algorithm 1 updates the teacher once per iteration, so its epochs are the "
              "GAN's: an epoch = floor(N / 64) = 781 iterations, 31,240 G steps on CIFAR-10"),
    Deviation("g_uncond_loss", "Algorithm 1: 'L_G^U <- Hinge(D^U(G(c, z)))' (the Hinge of "
              "L_D^U's real term)", "hinge", f"{NO_CODE}; BigGAN / U-Net GAN code: -D^U(G) "
              "('linear')", "the text"),
    Deviation("fid_mode", "section 4: 'computed by using the official implementation "
              "(Heusel et al., 2017) on 50,000 generated samples'", "legacy_tensorflow",
              "bioinf-jku/TTUR: TF Inception on uint8 images", "clean-fid's legacy_tensorflow "
              "mode matches TTUR; 'clean' is kept as an option"),
    Deviation("fid_n_real", "silent (reference statistics not stated)", 50000,
              "TTUR's CIFAR-10 statistics: the 50,000 training images",
              "the training split, as TTUR's published statistics"),
    Deviation("lr_g, lr_d, beta1, beta2", "section 3.3: 'Adam's optimizer' (no values)",
              (2e-4, 2e-4, 0.0, 0.999), f"{NO_CODE}; {BIGGAN_CIFAR}: the same",
              "the backbone's reference values"),
    Deviation("z_dim, g_ch, d_ch, ema_decay, ema_start", "silent",
              (128, 256, 256, 0.9999, 1000), f"{NO_CODE}; {BIGGAN_CIFAR}: the same",
              "the backbone's reference values"),
    Deviation("diffaug_policy", "section 3.3 names differentiable augmentation, no policy",
              "translation,cutout", f"{NO_CODE}; {BIGGAN_CIFAR}: the same",
              "the reference policy for CIFAR"),
    Deviation("cutmix_weight, cutmix_prob, cutmix_warmup_epochs", "section 3.3 names the "
              "U-Net CutMix consistency regularization, no values", (1.0, 0.5, 10),
              f"{NO_CODE}; U-Net GAN code: weight 1, probability ramped to 0.5",
              "the U-Net GAN values; the ramp length is ours"),
    Deviation("U-Net decoder at 32x32", "section 3.3: a U-Net decoder of W x H outputs",
              "our decoder (methods/nets/unet_d.py)", "U-Net GAN has no 32x32 model",
              "nothing upstream to follow"),
    Deviation("teacher_lr, teacher_weight_decay", "silent", (0.03, 5e-4),
              f"{NO_CODE}; FixMatch: the same", "FixMatch's, which the paper builds on"),
    Deviation("randaugment_ops, randaugment_magnitude", "section 3.3 names RandAugment, no "
              "values", (2, 9), NO_CODE, "RandAugment's common CIFAR setting"),
    Deviation("attention_norm", "Eq. 11: a mean over the selected images; Algorithm 1: "
              "'S * MultiClassHinge' (a mean over the batch)", "selected", NO_CODE,
              "Eq. 11; 'batch' gives Algorithm 1's reading"),
    Deviation("STL-10 labels (tables/watanabe/6.toml)", "Table 6: '100,000 unlabeled images "
              "and 500 labeled images'", "label_rate 500 / 105,000: 500 images",
              NO_CODE, "0.005 of the 105,000 training images would keep 525"),
)

INFO = register(
    MethodInfo(
        name="watanabe_selflabel",
        rules={**standard_rules(DEFAULTS), **{k: one_of(*v) for k, v in CHOICES.items()},
               "label_rate": PROBABILITY, "threshold": PROBABILITY, "num_clusters": at_least(1),
               "teacher_ema": PROBABILITY, "ema_decay": PROBABILITY, "cutmix_prob": PROBABILITY,
               "probe_threshold": PROBABILITY, "channels": one_of(1, 3),
               "z_dim": at_least(1), "g_ch": at_least(1), "d_ch": at_least(1)},
        build="methods.watanabe.trainer:build",
        evaluator=RESCORE,
        eval_options={"n_samples": "n_eval_samples", "extractor": "fid_extractor"},
        eval_params=PROBE_PARAMS,
        defaults=DEFAULTS,
        metrics=METRICS,
        paper="watanabe",
        deviations=DEVIATIONS,
        paper_values=PAPER_VALUES,
        description="BigGAN G(z, c) + U-Net D with 2K-way multi-class hinge head; EMA teacher "
        "trained on fakes self-labels reals (Eq. 8), kept when p_c >= Th (Eq. 9); "
        "L_D^C (Eq. 11) for any label rate",
        # GPU-hours: ESTIMATED, not measured (no GPU was available when this was written):
        # FLOPs per image counted from the layer shapes at width 256, 32x32: G ~1.7 GMAC,
        # U-Net D ~3.3 GMAC (encoder 1.1, decoder 2.2), ResNet18 0.56 GMAC. One D step (128
        # + 64 + ~32 CutMix images through D, fwd + bwd + R1, G fakes, teacher fwd/bwd on 64
        # and EMA labels of 128) ~8 TFLOP; a G update (64 fakes through G and D, fwd + bwd)
        # ~2 TFLOP. Algorithm 1's schedule, 40 epochs of CIFAR-10 = 31,240 iterations of
        # one teacher, D and G step each ~3.1e17 FLOP -> ~1.7 h at ~50 TFLOP/s sustained
        # (TF32) + RandAugment (~15-30 min of this total when it ran per image on one CPU
        # core, 2M images at ~0.4-0.8 ms; now batched on the GPU, not measured there)
        # + 40 evaluations of 50k samples with Inception FID (~1-2 min
        # each) = ~3-3.5 h per run (d_steps = 4, the reference code's, would be ~1.5 h of
        # training for 7,812 G steps).
        # cost_cpu_seconds: only used for CPU profiles (`plan` counts GPU-hours for the
        # paper profile): one smoke-profile run, measured (~25-35 s wall with 2 runs in
        # parallel on the shared 2-core machine, 1 thread each; ~5 s of it is imports).
        cost_cpu_seconds=30.0,
        gpu_hours=3.5,
        cost_note="GPU-hours ESTIMATED from FLOP counts (no GPU measurement): Algorithm 1's "
        "schedule, one teacher, D and G step per iteration, an epoch = floor(N / 64) = 781 "
        "iterations: "
        "40 epochs of CIFAR-10 = 31,240 G steps, ~3.5 GPU-hours per paper-scale CIFAR-10/SVHN "
        "run on an A100/H100-class GPU (range 2.5-5 h), x1.5 for the 60-epoch labeled runs, "
        "~12 GPU-hours per STL-10 run (48x48, 105k images); the paper used one RTX 2080 Ti "
        "(CIFAR-10, SVHN) or Quadro RTX 6000 (STL-10) per run. CPU figure: one smoke run "
        "(digits, tiny nets), measured ~30 s",
    )
)
