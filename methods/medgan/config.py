"""Registration of ``medgan`` (torch-free): liu et al., MED-GAN (CVPR 2021), on images.

One trainer for every trained cell of liu Tables 2-5 and Figures 5a, 5b and 6:

- ``supervision = "semi"``: G(z, y_z), the mask-embedded D(x, m, y) and the classifier
  C (section 4). D maximises Eq. 12: labelled pairs (x, y) and unlabelled images with C's
  pseudo labels (x_u, y~_u) are real, (G(z, y_z), y_z) fake, every image with a mask
  from q_m; with ``mask_embedding`` also -mu L_idnt (Eq. 11) on x_hat_{z, lambda} =
  T(x, x_z, m_lambda) (Eq. 1) with x's label; with ``region_reg`` also -L_cons (Eq. 4)
  and -L_ctrs (Eq. 5, margin ``gamma``). C minimises Eq. 10 on T(x, x_z) and T(x, x_u)
  with the soft targets of Eq. 9; G minimises L_advs + L_recg (Eqs. 6-8).
- ``supervision = "full"`` (Table 5): every training label is known; no C, no L_recg,
  no unlabelled term; the D components as above.

Table rows: ``mask_embedding = region_reg = false`` is the baseline (the Triple-GAN-style
model with the same networks, C's Eq. 10 and G's L_recg); ``+ Ma. emb.`` switches on
A_mask (masks from q_m on every adversarial term) and L_idnt; ``+ Re. reg.`` adds L_cons
and L_ctrs (= MED-GAN). Networks: methods/nets/mask_embedded.py (G, D), ConvLarge C
(methods/nets/convlarge.py). Every choice the paper leaves open is in ``DEVIATIONS``.

Schedule: an epoch is one pass over the unlabelled images (semi) or all training images
(full) in batches of ``batch_unlabeled`` (semi) or ``batch_labeled`` (full); the labelled
images are cycled in their own seeded order. ``max_steps`` > 0 caps the G steps (smoke).

Evaluation every ``eval_every_epochs`` epochs and at the end: ``fid`` (``n_eval_samples``
samples, balanced labels, against the training images; ``fid_extractor`` "inception" is
the paper's Inception-v3, "randproj-v1" an offline substitute, NOT comparable), the
``inception_score`` (+ ``_std`` over ``is_splits``; ``is_extractor`` "inception", or
"am_classifier": the data-set classifier ``am_classifier`` trained by ``am_recipe`` for
``am_epochs``, cached as zhou_amgan's AM classifier, a substitute, NOT comparable),
``test_error`` (%, C on the test split; semi only) and, at the end with
``classwise_fid_samples`` > 0, the FID of each class (``classwise_fid.npz``, Figure 6).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from methods.deviations import Deviation
from methods.params import POSITIVE, PROBABILITY, at_least, between, one_of, standard_rules
from methods.registry import RESCORE, MethodInfo, register

DEFAULTS: dict[str, object] = {
    # the model (sections 4, 5.1)
    "supervision": "semi",  # semi (Tables 2-4) | full (Table 5)
    "mask_embedding": True,
    "region_reg": True,
    "gamma": 0.5,
    "mu": 0.1,
    "mix_alpha": 0.2,
    "cons_eps": 0.1,
    "recg_weight": 1.0,
    "adv_form": "nonsaturating",  # nonsaturating | minimax (Eqs. 6, 11 as written)
    # data
    "image_size": 32,
    "channels": 3,
    "num_labeled": 4000,
    "split_seed": 0,
    # networks
    "z_dim": 128,
    "g_ch": 64,
    "d_ch": 64,
    "c_width": 1.0,
    "c_dropout": 0.5,
    # schedule and optimiser (section 5.1)
    "epochs": 600,
    "max_steps": 0,
    "d_steps": 1,
    "batch_labeled": 50,
    "batch_unlabeled": 50,
    "batch_fake": 50,
    "lr": 0.0002,
    "beta1": 0.0,
    "beta2": 0.999,
    "ema_decay": 0.0,
    "eval_every_epochs": 50,
    "checkpoint_every_epochs": 10,
    # evaluation
    "n_eval_samples": 50000,
    "fid_extractor": "inception",  # inception | randproj-v1 (offline substitute)
    "fid_n_real": 0,  # 0: every training image
    "is_extractor": "inception",  # inception | am_classifier (offline substitute)
    "is_splits": 10,
    "am_classifier": "densenet-bc-40-40",  # the substitute: zhou's AM classifier ...
    "am_recipe": "paper",  # ... trained by this recipe (reproduce/metrics/classifier.py)
    "am_epochs": 300,  # ... for so many epochs (cached, shared with zhou and real_data)
    "classwise_fid_samples": 0,  # per class, at the end (Figure 6); 0: off
    "device": "auto",
}

METRICS = ("fid", "inception_score", "inception_score_std", "test_error", "sample_std",
           "classwise_fid_mean")

PAPER_VALUES: dict[str, tuple[Any, str]] = {
    "gamma": (0.5, "section 5.1"),
    "mu": (0.1, "section 5.1"),
    "mix_alpha": (0.2, "section 5.1 (Beta(0.2, 0.2))"),
    "epochs": (600, "section 5.1"),
    "batch_labeled": (50, "section 5.1 (50/50/50; 16 FS-100, 32 CUB-200)"),
    "batch_unlabeled": (50, "section 5.1"),
    "batch_fake": (50, "section 5.1"),
    "lr": (0.0002, "section 5.1"),
    "beta1": (0.0, "section 5.1"),
    "beta2": (0.999, "section 5.1"),
    "num_labeled": (4000, "section 5.1 (CIFAR-10; 10k, 2k, 2.8k for the others)"),
}

_BIGGAN = "BigGAN-PyTorch (ajbrock/BigGAN-PyTorch)"
_TRIPLE = "Triple-GAN (zhenxuan00/triple-gan)"
DEVIATIONS: tuple[Deviation, ...] = (
    Deviation("Table 2 baseline", "section 5.3: 'The baseline is trained based on "
              "Triple-GAN' with 'the same network architectures as those in our full model'",
              "the full model without the D components (mask embedding, L_idnt, L_cons, "
              "L_ctrs): C keeps Eq. 10's mixed soft targets and G keeps L_recg",
              why="the rows then differ only in the components Table 2 adds; Triple-GAN's "
              "own C loss and no L_recg would change two things at once (liu Table 1, on "
              "points, runs Triple-GAN's game itself)"),
    Deviation("networks", "silent (section 5.3: the baseline has 'the same network "
              "architectures as those in our full model')", "BigGAN-style residual G (class-"
              "conditional BN) and D, widths of BigGAN's arch[32/64/128] at ch 64; C: "
              "ConvLarge (methods/nets/convlarge.py)", f"{_BIGGAN} G_arch/D_arch; "
              f"{_TRIPLE} and Mean Teacher's ConvLarge classifier",
              "no MED-GAN code is public; Table 5 names BigGAN, so G and D are BigGAN's "
              "for both settings"),
    Deviation("D_f position", "section 4.2.1: A_mask sits 'on top of the backbone D_f' "
              "(which layer is not stated)", "the last residual block's feature map; D_g "
              "= global sum pool of ReLU(D^_f)", f"{_BIGGAN}: the feature map before the "
              "sum pooling", "Figure 2 draws D_f as the convolutional trunk"),
    Deviation("A_mask", "silent", "mask area-pooled to D_f's grid, SN conv3x3-ReLU-conv1x1 "
              "to D_f's channels, no biases (A_mask(0) = 0)", "CBAM's spatial attention "
              "(Jongchanpark/CBAM.PyTorch) maps a 1-channel map by convolutions",
              "lambda = 1 (an empty box) then gives the plain D"),
    Deviation("A_label", "silent", "one learned vector per class, zero at init",
              f"{_BIGGAN}: the projection embedding of D", "w . (A_label(y) * D_g) is "
              "a projection term"),
    Deviation("cons_eps", "Eq. 4: ||m_lambda - m_lambda'|| < epsilon (no value, no norm)",
              0.1, why="the norm is the share of differing pixels; the second box moves "
              "each edge by up to a quarter of the side, halved until within epsilon"),
    Deviation("adv_form", "Eqs. 6, 11: log(1 - D) minimised", "nonsaturating",
              f"{_TRIPLE}: -log D for G", "the text's form saturates early in training; "
              "adv_form = 'minimax' runs it as written"),
    Deviation("'+ Ma. emb.' losses", "silent (Table 2)", "masks from q_m on every "
              "adversarial term, and mu L_idnt on x_hat_{z,lambda}; '+ Re. reg.' adds "
              "L_cons and L_ctrs", why="section 4.2.1: the mask is what makes L_idnt's "
              "'real' label for a mixed image well posed"),
    Deviation("mixing box", "section 3: top-left corner sampled on the image plane, "
              "sides sqrt(1 - lambda) W, H", "the corner is sampled where the box fits",
              "CutMix (clovaai/CutMix-PyTorch) clips a centred box and recomputes lambda",
              "the box then has the area of Eq. 1 (1 - lambda of the image)"),
    Deviation("q_m aspect ratio", "section 4.3: 'chosen randomly between 3/4 and 4/3'",
              "log-uniform; a side longer than the image is cut to it",
              "torchvision RandomResizedCrop samples the ratio log-uniformly",
              "the area stays in 75-100 % and the ratio in 3/4-4/3 after the cut"),
    Deviation("pseudo labels", "section 4.1: C 'learns to produce pseudo labels'",
              "argmax of C on x_u, no gradient", f"{_TRIPLE} samples C's label",
              "the same label feeds D (Eq. 12) and C's soft target (Eq. 9)"),
    Deviation("d_steps", "silent", 1, f"{_TRIPLE}: 1; {_BIGGAN} CIFAR: 4",
              "the paper's batch triple 50/50/50 reads as one update of each net"),
    Deviation("ema_decay", "silent", 0.0, f"{_BIGGAN}: EMA 0.9999", "no EMA is mentioned"),
    Deviation("epochs", "section 5.1: '600 training epochs'", 600,
              why="an epoch is one pass over the unlabelled images (all images in Table 5)"),
    Deviation("n_eval_samples", "silent (samples and runs for IS / FID)", 50000,
              "BigGAN-PyTorch and TTUR score 50k samples", "FID against every training "
              "image; IS over 10 splits"),
    Deviation("C in G's update", "silent", "C in eval mode (no dropout, batch-norm running "
              "statistics kept) for L_recg", why="fakes then do not move C's statistics"),
    Deviation("supervision = full", "section 5.5: BigGAN with the components, no "
              "classifier", "the same G and D on every label, the logistic losses of Eqs. "
              "6, 12 and the MED-GAN optimiser and schedule", f"{_BIGGAN}: hinge loss, "
              "hierarchical z, a shared class embedding, 4 D steps per G step",
              "the paper states no BigGAN settings for Table 5; the rows then differ only "
              "in the components"),
    Deviation("split_seed", "section 5.1: 4k / 10k / 2k / 2.8k labelled images (which ones "
              "is not stated)", 0, f"{_TRIPLE}: labelled images balanced over the classes",
              "the labelled images are spread evenly over the classes, chosen with this seed"),
    Deviation("FS-100 split", "section 5.1: 'about 13k training images and 2k test images'",
              "2/15 of each identity's images are the test split (reproduce/data/facescrub.py)",
              why="FaceScrub has no official split; the share gives about 2k of 15k"),
    Deviation("runs per cell", "silent (no '±' in Tables 2, 5; Table 4's '±' implies several)",
              "1 seed for Tables 2, 3, 5 and Figures 5, 6; 5 for Table 4 (the specs' seeds)",
              why="the paper states no number of runs"),
    Deviation("classwise_fid_samples", "section 5.5: class-wise FID (samples not stated)",
              0, why="Figure 6 sets 500 per class against the class's training images"),
)


def relative_work(p: Mapping[str, Any]) -> float:
    """Epochs of a run relative to the paper's 600 (for `plan`)."""
    return int(p["epochs"]) / int(DEFAULTS["epochs"])


INFO = register(
    MethodInfo(
        name="medgan",
        rules={**standard_rules(DEFAULTS), "supervision": one_of("semi", "full"),
               "adv_form": one_of("nonsaturating", "minimax"),
               "fid_extractor": one_of("inception", "randproj-v1"),
               "is_extractor": one_of("inception", "am_classifier"),
               "am_classifier": one_of("densenet-bc-40-40", "small-cnn"),
               "am_recipe": one_of("paper", "smoke"), "am_epochs": at_least(1),
               "image_size": one_of(16, 32, 64, 128), "channels": one_of(1, 3),
               "cons_eps": between(0.0, 1.0, low_open=True), "mix_alpha": POSITIVE,
               "z_dim": at_least(1), "g_ch": at_least(1), "d_ch": at_least(1),
               "c_width": POSITIVE, "c_dropout": between(0.0, 1.0, high_open=True),
               "ema_decay": PROBABILITY, "is_splits": at_least(1),
               "n_eval_samples": at_least(10), "eval_every_epochs": at_least(1),
               "checkpoint_every_epochs": at_least(1), "num_labeled": at_least(1)},
        build="methods.medgan.trainer:build",
        evaluator=RESCORE,
        eval_options={"n_samples": "n_eval_samples", "extractor": "fid_extractor"},
        defaults=DEFAULTS,
        metrics=METRICS,
        paper="liu",
        deviations=DEVIATIONS,
        paper_values=PAPER_VALUES,
        description="MED-GAN: mask-embedded D (Eqs. 2-3), L_idnt, L_cons, L_ctrs, "
        "classifier with mixed soft targets (Eqs. 9-10), semi- or fully supervised",
        cost_cpu_seconds=20.0,
        smoke_cpu_seconds=20.0,
        gpu_hours=30.0,
        cost_scale=relative_work,
        cost_note="GPU-hours ESTIMATED from FLOP counts, not measured: CIFAR-10 semi-"
        "supervised, 600 epochs of 46k unlabelled images at 50/50/50 = 552k steps of ~4 "
        "TFLOP (D on 7 x 50 images, G, C) ~2.2e18 FLOP -> ~15 h at ~40 TFLOP/s sustained, "
        "plus 12 evaluations of 50k samples, ~20 h in all; we plan 30 GPU-hours per run "
        "for every data set (CIFAR-100 ~25 h; FS-100 at 64 px, batch 16 ~25 h; CUB-200 at "
        "128 px, 3.2k unlabelled images ~20 h). A smoke run (digits, 16 px, tiny nets) "
        "takes ~20 s on one core",
    )
)
