"""Registration of ``noroozi_slcgan`` (torch-free): Noroozi, "Self-labeled Conditional GANs".

One trainer for every trained cell of the paper's Tables 1-4, the multiple-view ablation
and Figure 4, picked by ``conditioning``:

- ``clusters`` (slcGAN): a clustering network C (ResNet18, K logits) labels real images
  with ``softmax(C(x))``; fakes are ``G(z, onehot(c))``, c uniform over K (Eq. 3). D (a
  BigGAN projection D with a unary and a joint term) minimises the hinge on both terms
  (Algorithm 1, lines 14-15); G minimises ``-u_f - s_f`` plus ``mi_weight`` * L_mi (Eq. 4,
  C frozen); C, on a fresh real batch, minimises ``adv_weight`` * mean(s_r) (line 27)
  plus ``aug_weight`` * L_aug between x and a random view T(x) (Eq. 5, line 28).
- ``labels`` (cGAN): the same G and D conditioned on one-hot ground-truth labels
  (K = the data set's classes; fakes' labels uniform).
- ``none`` (uGAN): the same G and D without conditioning (unary term only).

K: ``num_clusters``, or ``k_grid[i]`` when ``k_size`` is ``small`` / ``medium`` /
``large`` (i = 0, 1, 2), so one spec row picks the paper's small/medium/large K of each
column's data set. ``clustering_net = "supervised"`` trains C with cross-entropy on the
ground-truth labels instead (Table 4's "supervised" probe); C is trained only by slcGAN
and by that option (elsewhere it stays at its initialisation). ``untrained = true``
evaluates the networks at their initialisation (Table 4's "random initialization").

Evaluation (every ``eval_every`` G steps and at the end): ``inception_score`` (+
``_std``) and ``fid`` of ``n_eval_samples`` samples (balanced labels) against
``fid_n_real`` images of the ``fid_ref_split`` split (0 = all), with the extractors
``is_extractor`` / ``fid_extractor`` ("inception" = the paper's Inception-v3; offline
substitutes "classifier" (a small CNN trained on the data set, cached) and "randproj-v1",
NOT comparable with the paper), named in ``*_extractor`` string fields; on the
``eval_split`` images (``n_cluster_eval``, 0 = all): ``cluster_acc`` (%, Hungarian
one-to-one), ``purity`` (%), ``nmi`` of C's argmax against the ``gt_labels`` classes
(``coarse``: CIFAR-100's 20 superclasses), and ``linear_sep`` (%): a linear softmax
classifier trained (``probe_epochs``) on C's frozen penultimate features of
``n_probe_train`` training images (0 = all), accuracy on the ``eval_split`` images. At
the final evaluation the run writes ``cluster_sizes.npz`` (``values`` = the K cluster
lengths over ``n_cluster_sizes`` training images, from C's argmax or from k-means with K
clusters on C's features, ``cluster_sizes_from``). The evaluation-only parameters
(``EVAL_PARAMS``) never change training: a run that differs from a finished run only in
them evaluates that run's final model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from methods.deviations import Deviation
from methods.params import PROBABILITY, at_least, one_of, standard_rules
from methods.registry import RESCORE, MethodInfo, register

DEFAULTS: dict[str, object] = {
    # the game (section 3.2)
    "conditioning": "clusters",  # clusters (slcGAN) | labels (cGAN) | none (uGAN)
    "clustering_net": "adversarial",  # adversarial (Algorithm 1) | supervised (Table 4)
    "num_clusters": 50,  # K when k_size is ""
    "k_size": "",  # "" | small | medium | large
    "k_grid": [10.0, 50.0, 100.0],  # K of small, medium, large (CIFAR-10's)
    "adv_weight": 1.0,  # lambda_1 (Eq. 6)
    "mi_weight": 1.0,  # lambda_2
    "aug_weight": 1.0,  # lambda_3
    "view_crop_min": 0.2,  # T(x): random resized crop area share in [crop_min, 1]
    "view_jitter": 0.4,  # brightness / contrast / saturation factors in [1 -+ jitter]
    "view_jitter_prob": 0.8,
    # schedule (methods/engine)
    "untrained": False,  # evaluate the networks at initialisation (no training step)
    "steps": 100000,  # G steps; the paper does not say
    "d_steps": 2,  # section 4: D updated twice per G update
    "eval_every": 10000,
    "checkpoint_every": 2000,
    # networks (section 3.2, 4)
    "image_size": 32,  # 32 (CIFAR, MNIST), 64 (LSUN, ImageNet); 16 for smoke runs
    "channels": 3,
    "z_dim": 128,
    "ch": 128,  # BigGAN channel multiplier
    "blocks_per_stage": 1,
    "embed_dim": 128,  # the linear map of the label vector for G's conditional BN
    "c_arch": "resnet18",  # resnet18 | resnet18-tiny (smoke)
    "spectral_norm_d": True,
    # optimiser (section 4)
    "batch_size": 256,
    "lr": 0.0001,
    "beta1": 0.0,
    "beta2": 0.999,
    # evaluation
    "n_eval_samples": 50000,
    "is_extractor": "inception",  # inception | classifier (offline substitute)
    "fid_extractor": "inception",  # inception | randproj-v1 (offline substitute)
    "fid_ref_split": "train",  # the real images FID compares with
    "fid_n_real": 50000,  # 0: every image of fid_ref_split
    "gt_labels": "fine",  # fine | coarse (CIFAR-100's 20 superclasses)
    "eval_split": "test",  # images of the clustering metrics and of the probe's test
    "n_cluster_eval": 0,  # 0: every image of eval_split
    "n_probe_train": 50000,  # 0: every training image
    "probe_epochs": 100,
    "n_cluster_sizes": 0,  # training images of cluster_sizes.npz (0: all)
    "cluster_sizes_from": "clustering_net",  # clustering_net | kmeans
    "device": "auto",
}

EVAL_PARAMS = ("n_eval_samples", "is_extractor", "fid_extractor", "fid_ref_split", "fid_n_real",
               "gt_labels", "eval_split", "n_cluster_eval", "n_probe_train", "probe_epochs",
               "n_cluster_sizes", "cluster_sizes_from")

METRICS = ("inception_score", "inception_score_std", "fid", "cluster_acc", "purity", "nmi",
           "linear_sep", "sample_std")

SPLITS = ("train", "test", "val")

DEVIATIONS = (
    Deviation("steps", "silent (section 4 gives no number of iterations)", 100000,
              why="100k G steps = 200k D steps, about 1000 CIFAR epochs at batch 256"),
    Deviation("EMA of G", "silent", "none",
              why="the paper mentions no moving average of G's weights; G is evaluated as "
                  "trained"),
    Deviation("beta1", "silent ('Adam optimizer ... a learning rate of 1e-4')", 0.0,
              why="BigGAN's Adam betas (0, 0.999), the architecture the paper builds on"),
    Deviation("spectral_norm_d", "'We use spectral normalization in both C and G'", True,
              why="the text names C and G; the BigGAN D it builds on is spectrally "
                  "normalised, so D keeps it (spectral_norm_d = false drops it)"),
    Deviation("ch", "'We set the channel multiplier to 128'", 128,
              why="read as BigGAN-PyTorch's ch: 4ch channels per block at 32x32 (arch[32]), "
                  "ch..16ch at 64x64 (arch[64])"),
    Deviation("embed_dim", "'a linear transformation to map pseudo-class probability "
              "vectors to higher dimensional dense vectors'", 128,
              why="the dimension is not given; 128 as BigGAN's shared embedding"),
    Deviation("joint term", "'Following the BigBiGAN framework, we include a unary term'; "
              "'to D with projection'", "s = (V p) . h, u = w . h + b",
              why="our reading: the projection inner product is the joint term, the "
                  "linear head on the same pooled features the unary term"),
    Deviation("L_aug gradient", "Eq. 5 / Algorithm 1 line 28 show no stop-gradient",
              "through both views", why="follows the text"),
    Deviation("view_crop_min", "'cropping, color jittering, and flipping' (strengths silent)",
              0.2, why="SimCLR's random resized crop scale (0.2 as its CIFAR setting)"),
    Deviation("view_jitter", "silent", 0.4,
              why="SimCLR's CIFAR colour-jitter strength 0.5 x 0.8 (no hue change)"),
    Deviation("C on fakes", "'C is only updated via real images'",
              "inference mode (frozen weights and batch-norm statistics)",
              why="L_mi must not change C, its batch-norm statistics included"),
    Deviation("C architecture", "'standard ResNet18'", "CIFAR ResNet18 (3x3 stem, no max "
              "pool) at 32x32 and 64x64", why="the ImageNet stem leaves 2x2 maps at 64x64"),
    Deviation("n_eval_samples", "silent", 50000, why="the usual IS / FID protocol"),
    Deviation("fid_n_real", "ImageNet: the validation set; LSUN: 200K held-out images; "
              "CIFAR silent", 50000, why="CIFAR: the 50k training images (specs set the "
              "held-out references of Table 2)"),
    Deviation("eval_split", "silent (clustering accuracy, purity)", "test",
              why="the held-out split; the probe trains on the training split"),
    Deviation("n_probe_train", "silent", 50000,
              why="all of CIFAR's training images; a fixed 50k subset of LSUN's 2M"),
    Deviation("probe_epochs", "Table 4 caption: 'trained using cross-entropy with softmax "
              "activation' (optimiser silent)", 100,
              why="Adam, cosine schedule, standardised features (an affine map)"),
    Deviation("k-means baseline", "Figure 4: 'k-means is applied on the features of the "
              "layer before the last'", "scikit-learn KMeans, k-means++ init, n_init 1",
              why="one k-means++ start at K = 1000 on 2M images"),
)

PAPER_VALUES: dict[str, tuple[object, str]] = {
    "d_steps": (2, "section 4 ('update the discriminator twice per generator update')"),
    "lr": (0.0001, "section 4"),
    "batch_size": (256, "section 4 ('a batch size of 256 for all networks')"),
    "ch": (128, "section 4 ('channel multiplier to 128')"),
    "blocks_per_stage": (1, "section 4"),
    "c_arch": ("resnet18", "section 4 ('standard ResNet18')"),
    "adv_weight": (1.0, "Eq. 6 ('set to 1 during training')"),
    "mi_weight": (1.0, "Eq. 6"),
    "aug_weight": (1.0, "Eq. 6"),
}

RULES = {
    **standard_rules(DEFAULTS),
    "conditioning": one_of("clusters", "labels", "none"),
    "clustering_net": one_of("adversarial", "supervised"),
    "k_size": one_of("", "small", "medium", "large"),
    "num_clusters": at_least(1), "k_grid": at_least(1),
    "view_crop_min": PROBABILITY, "view_jitter": PROBABILITY,
    "view_jitter_prob": PROBABILITY,
    "image_size": one_of(16, 32, 64), "channels": one_of(1, 3), "z_dim": at_least(1),
    "ch": at_least(1), "blocks_per_stage": at_least(1), "embed_dim": at_least(1),
    "c_arch": one_of("resnet18", "resnet18-tiny"),
    "n_eval_samples": at_least(2), "is_extractor": one_of("inception", "classifier"),
    "fid_extractor": one_of("inception", "randproj-v1"), "fid_ref_split": one_of(*SPLITS),
    "gt_labels": one_of("fine", "coarse"), "eval_split": one_of(*SPLITS),
    "probe_epochs": at_least(1),
    "cluster_sizes_from": one_of("clustering_net", "kmeans"),
}

# G, D and C work per image relative to 32x32 (flop_counter at ch = 128: G 28.5 vs 6.7 GMAC)
_PIXEL_WORK = {16: 0.3, 32: 1.0, 64: 2.2}


def relative_work(p: Mapping[str, Any]) -> float:
    """A run's GPU work relative to a 32x32 run at the default steps (for `plan`): the
    image size's work per step times the steps; a run that trains nothing is evaluation only."""
    if p["untrained"]:
        return 0.02
    return _PIXEL_WORK[int(p["image_size"])] * int(p["steps"]) / int(DEFAULTS["steps"])


INFO = register(
    MethodInfo(
        name="noroozi_slcgan",
        rules=RULES,
        build="methods.slcgan.trainer:build",
        evaluator=RESCORE,
        eval_options={"n_samples": "n_eval_samples", "extractor": "fid_extractor"},
        eval_params=EVAL_PARAMS,
        defaults=DEFAULTS,
        metrics=METRICS,
        paper="noroozi",
        description="slcGAN: BigGAN G(z, p) + projection D (unary + joint hinge) + ResNet18 "
        "clustering network C (adversarial on real pairs, L_mi on G, multiple-view L_aug); "
        "uGAN and cGAN baselines on the same networks",
        deviations=DEVIATIONS,
        paper_values=PAPER_VALUES,
        # GPU-hours ESTIMATED from FLOP counts (no GPU measurement; see cost_note).
        cost_cpu_seconds=60.0,
        # measured: 11-18 s wall per smoke run on 1 thread of an idle core (4 s for the
        # untrained probe and the k-means series); all noroozi smoke tables and Figure 4
        # together 132 s; 50-80 s per run on the shared machine under load ~15
        smoke_cpu_seconds=15.0,
        gpu_hours=32.0,
        cost_scale=relative_work,
        cost_note="GPU-hours ESTIMATED, not measured: multiply-accumulates per image counted "
        "with torch.utils.flop_counter at 32x32, ch = 128 (512 channels per block): G ~6.7 "
        "GMAC, D ~4.3 GMAC, ResNet18 C ~0.56 GMAC; one G step (2 D steps on 256 reals + "
        "256 fakes, the G step, the C step on two views) ~29 TMAC = ~58 TFLOP -> ~1.2 s "
        "at an assumed 50 TFLOP/s sustained, 100k steps ~32 GPU-hours per CIFAR run plus "
        "~1 h for 10 evaluations of 50k samples; at "
        "64x64 (LSUN, ImageNet) G ~28.5 GMAC, D ~4.3, C ~2.2 -> ~125 TFLOP per step, ~70 "
        "GPU-hours per run (the plan counts 32 for every run, so it underestimates Table 2, "
        "the LSUN columns of Table 4 and Figure 4 about twofold). A smoke run (digits, tiny "
        "nets, 120 steps) takes 11-18 s on one idle CPU core (measured)",
    )
)
