"""Registration of ``zhou_amgan`` (torch-free): the model family of Zhou et al. (AM-GAN).

One trainer for every model of Tables 1-3 and sections 7.1.2 / 7.1.5, picked by
``variant`` (equations in methods/zhou_amgan/losses.py):

- ``gan``: binary D, non-saturating G loss (Eq. 1 with -log D_r).
- ``gan_star``: GAN + an auxiliary classifier on real data whose loss does not reach G
  (section 7.1.1, "in the AC-GAN* setting"), weighted ``gan_star_aux_weight`` in D: 1 as
  AC-GAN*'s classifier (profile ``paper``), 0.1 in the official code (profile ``official``).
- ``acgan_star``: AC-GAN* (Eqs. 6-9): binary D + classifier on real data; G adds
  ``aux_weight_g`` * H(u(y), C(G(z))) (Eq. 7).
- ``acgan_star_plus``: AC-GAN* + ``uniform_weight`` * H(u(.), C(fake)) in D (Eq. 20).
- ``acgan``: the original AC-GAN (section 7.1.5): AC-GAN* + the classifier also trained
  to put fakes in their target class, E_G[H(u(y), C(x))], in D.
- ``labelgan``: K+1-class D (Eqs. 4-5); ``amgan``: LabelGAN's D with G's loss
  H(v(y), D(x)) towards an explicit target class (Eqs. 14-15).

``labeling``: ``dynamic`` = target class argmax of D's current K class logits on the fake,
without gradient (section 5.1); ``predefined`` = class-conditional G (one-hot label
appended to z) and one more 3x3 conv in D (Appendix F's "Convolution*"), for every
variant. D's logits: 1 (gan: D_r = sigmoid), 1 + K (AC family: binary + classifier), and
K class logits with the (K+1)-th "fake" logit fixed at 0 (LabelGAN, AM-GAN, as Salimans et
al. and the official code; ``fake_logit = "learned"`` gives D K+1 free outputs).

Networks: methods/nets/dcgan_wn.py (Appendix F). Hyper-parameters (Appendix F): Adam
betas (0.5, 0.999), batch 100, initial learning rate 4e-4 for G and for D (both columns
of Appendix F; ``d_lr_mult`` = 1), "exponential decay with stair" (factor and period from
the official code: x0.5 every 100k iterations), 1 D step per G step. The official code
(ZhimingZhou/AM-GANs-for-reproduce, REFERENCES.md) trains D at twice G's rate and GAN*'s
classifier at weight 0.1: the specs' ``official`` profile runs those values. The paper
does not state the iterations; ``steps`` = 300k (three stairs; the official code runs up
to 1M) is our choice. D's update sees real and fake images in one concatenated batch
(one batch-norm statistic over both); G's update passes its fakes alone through D (our
choice; the paper does not say). Every such choice is a :data:`DEVIATIONS` entry
(docs/DEVIATIONS.md).

Evaluation (every ``eval_every`` steps, ``n_eval_samples`` samples with fixed noise):
Inception Score with ``is_extractor`` ("inception": the ImageNet Inception-v3 of
clean-fid, paper; "am_classifier": the AM Score's data-set classifier as an offline
substitute, NOT comparable) with its decomposition ``is_marginal_entropy`` = H(mean C^G)
and ``is_mean_entropy`` = E_x[H(C(x))] (Figure 3); AM Score (Eq. 23) with ``am_kl`` and
``am_entropy`` (Figure 6) from ``am_classifier`` trained by ``am_recipe`` for
``am_epochs`` on the training images (cached); ``msssim_max`` / ``msssim_mean`` over
``msssim_pairs`` same-class pairs per class (Table 2; the class is the predefined label,
else D's argmax, else the AM classifier's argmax); ``g_noise_grad`` = mean over
``g_grad_samples`` samples of sum over z dims and pixels of |dG(z)/dz| (section 7.1.4).
Each record names its extractor in ``<metric>_extractor`` string fields.
"""

from __future__ import annotations

from methods.deviations import Deviation
from methods.params import POSITIVE, PROBABILITY, at_least, between, one_of, standard_rules
from methods.registry import RESCORE, MethodInfo, register

VARIANTS = ("gan", "gan_star", "acgan_star", "acgan_star_plus", "acgan", "labelgan", "amgan")
LABELINGS = ("dynamic", "predefined")

DEFAULTS: dict[str, object] = {
    # model family
    "variant": "amgan",
    "labeling": "dynamic",
    # schedule (methods/engine)
    "steps": 300000,  # not stated in the paper (our choice; official code: up to 1M)
    "d_steps": 1,
    "eval_every": 10000,
    "checkpoint_every": 5000,
    "lr_decay": 0.5,  # staircase x0.5 ...
    "lr_decay_every": 100000,  # ... every 100k iterations (official code)
    "ema_decay": 0.0,  # the paper uses no EMA of G
    # networks (Appendix F)
    "image_size": 32,
    "channels": 3,
    "z_dim": 100,
    "width_mult": 1.0,  # scales every layer width of G and D (1 = the paper)
    "d_width_mult": 1.0,  # extra factor on D's widths (Table 3's "more filters": 2, ours)
    "d_input_noise": 0.1,
    "d_dropout": 0.3,
    "d_batch_norm": True,
    "wn_data_init": True,  # weight-norm data-dependent init (official code)
    "fake_logit": "zero",  # LabelGAN/AM-GAN (K+1)-th logit: "zero" (fixed) | "learned"
    # loss weights
    "aux_weight_g": 1.0,  # classifier loss in G (Eq. 7); 0.1 in section 7.1.2's variant
    "aux_weight_d": 1.0,  # classifier loss in D (Eq. 9, and AC-GAN's fake term)
    "gan_star_aux_weight": 1.0,  # GAN*'s classifier weight in D (AC-GAN*'s; official: 0.1)
    "uniform_weight": 1.0,  # AC-GAN*+'s Eq. 20
    # optimiser (Appendix F, official code)
    "batch_size": 100,
    "lr": 0.0004,  # G's initial learning rate
    "d_lr_mult": 1.0,  # D's learning rate / G's (Appendix F: 0.0004 both; official: 2)
    "beta1": 0.5,
    "beta2": 0.999,
    # evaluation
    "n_eval_samples": 50000,
    "is_extractor": "inception",  # "inception" | "am_classifier" (offline substitute)
    "is_splits": 10,
    "am_classifier": "densenet-bc-40-40",  # "densenet-bc-40-40" (paper) | "small-cnn"
    "am_recipe": "paper",  # "paper" | "smoke" (reproduce/metrics/classifier.py)
    "am_epochs": 300,
    "msssim_pairs": 100,
    "g_grad_samples": 64,
    "device": "auto",  # "auto" (cuda when available) | "cpu" | "cuda"
}

METRICS = ("inception_score", "inception_score_std", "is_marginal_entropy", "is_mean_entropy",
           "am_score", "am_kl", "am_entropy", "msssim_max", "msssim_mean", "g_noise_grad",
           "sample_std")

OFFICIAL_CODE = "ZhimingZhou/AM-GANs-for-reproduce (REFERENCES.md)"

# parameters whose value the paper's text states, with where it says so
PAPER_VALUES: dict[str, tuple[object, str]] = {
    "lr": (0.0004, "Appendix F"),
    "d_lr_mult": (1.0, "Appendix F (0.0004 in the generator and the discriminator column)"),
    "beta1": (0.5, "Appendix F"),
    "beta2": (0.999, "Appendix F"),
    "batch_size": (100, "Appendix F"),
    "z_dim": (100, "Appendix F (noise 100, 110 with the class condition)"),
    "d_input_noise": (0.1, "Appendix F (Add Gaussian Noise N(0.0, 0.1))"),
    "d_dropout": (0.3, "Appendix F (Output Drop 0.3)"),
    "gan_star_aux_weight": (1.0, "section 7.1.1 (GAN* is GAN 'in the AC-GAN* setting')"),
    "n_eval_samples": (50000, "section 7.1.6 (IS and AM Score on 50k samples)"),
}

DEVIATIONS: tuple[Deviation, ...] = (
    Deviation("d_lr_mult", "Appendix F: 'initial learning rate 0.0004' in the generator and "
              "in the discriminator column", 1.0, f"2.0 (D at 8e-4), {OFFICIAL_CODE}",
              "the paper's text states one rate for both; profile official runs the code's"),
    Deviation("gan_star_aux_weight", "section 7.1.1: GAN* is the GAN 'in the AC-GAN* "
              "setting' (AC-GAN*'s classifier loss, Eq. 9, has weight 1)", 1.0,
              f"0.1, {OFFICIAL_CODE}", "the text names AC-GAN*'s setting; profile official "
              "runs the code's weight"),
    Deviation("steps", "silent (the number of iterations is not stated)", 300000,
              f"up to 1,000,000, {OFFICIAL_CODE}", "three stairs of the decay; a GPU-day "
              "budget per run"),
    Deviation("lr_decay", "Appendix F: 'Exponential decay with stair' (no factor)", 0.5,
              f"0.5, {OFFICIAL_CODE}", "the code's factor"),
    Deviation("lr_decay_every", "Appendix F: 'Exponential decay with stair' (no period)",
              100000, f"100,000, {OFFICIAL_CODE}", "the code's period"),
    Deviation("wn_data_init", "Appendix F: 'We use weight normalization for each weight' "
              "(no initialisation stated)", True, f"data-dependent init, {OFFICIAL_CODE}",
              "the code's initialisation"),
    Deviation("fake_logit", "Eqs. 4-5 and Appendix F (K+1 outputs for LabelGAN / AM-GAN); "
              "whether the (K+1)-th logit is learned is not stated", "zero",
              f"fixed at 0 (Salimans et al. 2016), {OFFICIAL_CODE}",
              "as the code; 'learned' gives D K+1 free outputs"),
    Deviation("D and G batches", "silent", "D's update: real and fake in one concatenated "
              "batch (one batch-norm statistic); G's update: fakes alone through D", "",
              "one D forward per update; the batch-norm statistics of G's update then see "
              "fakes only, as in a separate forward"),
)

INFO = register(
    MethodInfo(
        name="zhou_amgan",
        rules={**standard_rules(DEFAULTS), "variant": one_of(*VARIANTS),
               "labeling": one_of(*LABELINGS), "fake_logit": one_of("zero", "learned"),
               "is_extractor": one_of("inception", "am_classifier"),
               "am_classifier": one_of("densenet-bc-40-40", "small-cnn"),
               "am_recipe": one_of("paper", "smoke"), "d_lr_mult": POSITIVE,
               "lr_decay": between(0.0, 1.0, low_open=True), "image_size": at_least(8),
               "channels": one_of(1, 3), "z_dim": at_least(1), "width_mult": POSITIVE,
               "d_width_mult": POSITIVE, "d_dropout": PROBABILITY, "is_splits": at_least(1),
               "n_eval_samples": at_least(1)},
        build="methods.zhou_amgan.trainer:build",
        evaluator=RESCORE,
        eval_options={"n_samples": "n_eval_samples", "extractor": "is_extractor"},
        defaults=DEFAULTS,
        metrics=METRICS,
        paper="zhou",
        deviations=DEVIATIONS,
        paper_values=PAPER_VALUES,
        description="AM-GAN family (GAN, GAN*, AC-GAN*, AC-GAN*+, AC-GAN, LabelGAN, AM-GAN) "
        "on the Appendix F DCGAN with weight norm, dynamic or predefined labeling",
        # One run at the defaults (300k steps, batch 100, 32x32, 30 evaluations of 50k
        # samples), in CPU-core-seconds: a paper-size step takes 2.5-2.9 CPU s on 1 thread
        # of this machine (benchmarks/bench_engine.py --paper-step; amgan/dynamic and
        # acgan_star/predefined) -> ~0.8M s of training; 30 Inception evaluations of 50k
        # images (~5.7 GFLOP each at 299x299, ~50 GFLOP/s per core) add ~0.35M s.
        cost_cpu_seconds=1_200_000.0,
        # measured: 22-100 s wall per smoke run on 1 thread (one 178 s), two runs side by
        # side on a 2-core machine (the 20 smoke runs of examples/store)
        smoke_cpu_seconds=60.0,
        gpu_hours=2.0,
        cost_note="paper scale needs a GPU. Per run: ~0.5 TFLOP per step (G ~0.51 GMAC and "
        "D ~0.06 GMAC per image, counted from the layer shapes; 100 fakes + 100 reals per D "
        "step, 100 fakes per G step, backward = 2x forward) -> ~1-1.5 GPU-hours on an "
        "A100/H100 for 300k steps at an assumed 10-15 ms/step, plus ~0.5 h for 30 IS/AM "
        "evaluations of 50k samples; once per data set ~1-2 GPU-hours for the DenseNet-BC "
        "40/40 AM classifier (300 epochs, cached). On a CPU, ~330 core-hours per run (measured "
        "per step on 1 thread, extrapolated); a smoke run (1/8-width nets at 16x16) took "
        "22-100 s wall in examples/store",
    )
)
