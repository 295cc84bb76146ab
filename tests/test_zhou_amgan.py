"""zhou_amgan: losses against hand-computed values and the paper's identities, the model's
variants, registration and specs, and a tiny run through the engine (digits)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn.functional as F

from methods import registry
from methods.zhou_amgan import losses as L
from methods.zhou_amgan.config import DEFAULTS, INFO, VARIANTS
from methods.zhou_amgan.model import ZhouGAN, n_logits
from tests.fake_context import FakeCtx, Stop

torch.set_num_threads(1)
LN = math.log


def test_labelgan_g_loss_is_bce_of_logsumexp_against_zero_fake_logit() -> None:
    # K = 2 class logits (log 1, log 3), fake logit fixed at 0: D_r = 4 / 5
    logits = L.with_fake_logit(torch.tensor([[0.0, LN(3.0)]]))
    assert logits.tolist() == [[0.0, pytest.approx(LN(3.0)), 0.0]]
    got = L.labelgan_g_loss(logits)
    assert got.item() == pytest.approx(-LN(4 / 5))
    lse = torch.logsumexp(torch.tensor([[0.0, LN(3.0)]]), 1)
    bce = F.binary_cross_entropy_with_logits(lse - 0.0, torch.ones(1))
    assert got.item() == pytest.approx(bce.item())
    # Eq. 2: -log sum_{k<=K} D_k on random logits
    r = torch.randn(5, 4)
    want = -torch.log(F.softmax(r, 1)[:, :3].sum(1)).mean()
    assert L.labelgan_g_loss(r).item() == pytest.approx(want.item(), rel=1e-6)


def test_amgan_g_loss_hand_computed() -> None:
    logits = L.with_fake_logit(torch.tensor([[0.0, LN(3.0)]]))  # softmax (1/5, 3/5, 1/5)
    assert L.amgan_g_loss(logits, torch.tensor([1])).item() == pytest.approx(-LN(3 / 5))
    assert L.amgan_g_loss(logits, torch.tensor([0])).item() == pytest.approx(-LN(1 / 5))


def test_labelgan_d_loss_hand_computed() -> None:
    real = L.with_fake_logit(torch.tensor([[0.0, LN(3.0)]]))  # label 1: -log 3/5
    fake = L.with_fake_logit(torch.tensor([[LN(2.0), LN(2.0)]]))  # D_{K+1} = 1/5
    got = L.labelgan_d_loss(real, torch.tensor([1]), fake)
    assert got.item() == pytest.approx(-LN(3 / 5) - LN(1 / 5))


def test_gan_and_classifier_losses_hand_computed() -> None:
    z = torch.zeros(4)
    assert L.gan_d_loss(z, z).item() == pytest.approx(2 * LN(2.0))
    assert L.gan_g_loss(z).item() == pytest.approx(LN(2.0))
    s = torch.tensor([LN(3.0)])  # D_r = 3/4
    assert L.gan_g_loss(s).item() == pytest.approx(-LN(3 / 4))
    assert L.gan_d_loss(s, s).item() == pytest.approx(-LN(3 / 4) - LN(1 / 4))
    assert L.uniform_classifier_loss(torch.zeros(3, 10)).item() == pytest.approx(LN(10.0))
    c = torch.tensor([[0.0, LN(3.0)]])  # C = (1/4, 3/4): H(u, C) = -(log 1/4 + log 3/4) / 2
    assert L.uniform_classifier_loss(c).item() == pytest.approx(-(LN(0.25) + LN(0.75)) / 2)
    assert L.aux_classifier_loss(c, torch.tensor([1])).item() == pytest.approx(-LN(0.75))


def test_lemma2_decomposition_and_eq17() -> None:
    g = torch.Generator().manual_seed(0)
    p_hat = F.softmax(torch.randn(6, 5, generator=g, dtype=torch.float64), 1)
    p = F.softmax(torch.randn(6, 5, generator=g, dtype=torch.float64), 1)
    first, second = L.lemma2_terms(p_hat, p)
    h = -(p_hat * p.log()).sum(1)
    assert torch.allclose(first + second, h, atol=1e-12)
    # Eq. 17-18: AM-GAN's G loss = auxiliary classifier loss on R(D) + LabelGAN's G loss
    logits = torch.randn(6, 5, generator=g, dtype=torch.float64)
    y = torch.tensor([0, 1, 2, 3, 0, 1])
    am = L.amgan_g_loss(logits, y)
    aux = L.aux_classifier_loss(logits[:, :-1], y)  # R(D) = softmax of the K class logits
    assert am.item() == pytest.approx((aux + L.labelgan_g_loss(logits)).item(), rel=1e-12)


def test_eq19_acgan_star_as_hierarchical_k_plus_1_model() -> None:
    g = torch.Generator().manual_seed(1)
    s, c = torch.randn(4, generator=g, dtype=torch.float64), torch.randn(4, 3, generator=g,
                                                                      dtype=torch.float64)
    y = torch.tensor([0, 2, 1, 1])
    lhs = L.gan_g_loss(s) + L.aux_classifier_loss(c, y)
    d_r = torch.sigmoid(s)
    probs = torch.cat([d_r[:, None] * F.softmax(c, 1), (1 - d_r)[:, None]], 1)
    rhs = F.nll_loss(probs.log(), y)
    assert lhs.item() == pytest.approx(rhs.item(), rel=1e-12)


def test_lemma1_gradient_and_dynamic_labels_carry_no_gradient() -> None:
    logits = torch.tensor([[2.0, 0.5, -1.0, 0.3]], requires_grad=True)  # K = 3, learned fake
    y = L.dynamic_labels(logits[:, :3])
    assert y.tolist() == [0] and not y.requires_grad
    L.amgan_g_loss(logits, y).backward()
    target = F.one_hot(torch.tensor([0]), 4).float()
    # Lemma 1: -dH/dl = p_hat - softmax(l), the target held fixed
    assert torch.allclose(-logits.grad, target - F.softmax(logits.detach(), 1), atol=1e-6)


def test_n_logits_per_variant() -> None:
    assert n_logits("gan", 10) == 1
    assert all(n_logits(v, 10) == 11 for v in ("gan_star", "acgan_star", "acgan_star_plus",
                                              "acgan"))
    assert n_logits("amgan", 10) == 10 and n_logits("labelgan", 10, "learned") == 11


def small_params(**kw: Any) -> dict[str, Any]:
    p = dict(DEFAULTS)
    p.update(image_size=16, width_mult=0.125, batch_size=8, n_eval_samples=40,
             is_extractor="am_classifier", am_classifier="small-cnn", am_recipe="smoke",
             am_epochs=1, msssim_pairs=5, g_grad_samples=2, is_splits=2, steps=4,
             eval_every=2, checkpoint_every=2)
    p.update(kw)
    return p


@pytest.mark.parametrize("labeling", ["dynamic", "predefined"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_steps(variant: str, labeling: str) -> None:
    torch.manual_seed(0)
    p = small_params(variant=variant, labeling=labeling)
    batch = (torch.rand(8, 3, 16, 16) * 2 - 1, torch.arange(8) % 10)
    m = ZhouGAN(p, 10, "cpu", init_batch=batch)
    d = m.nets["D"]
    assert d(batch[0]).shape == (8, n_logits(variant, 10))
    assert (m.nets["G"].num_classes > 0) == (labeling == "predefined")
    convs = [mod for mod in d.modules() if isinstance(mod, torch.nn.Conv2d)]
    assert len(convs) == (5 if labeling == "predefined" else 4)  # Appendix F's Convolution*
    losses = {**m.d_step(batch), **m.g_step(batch)}
    assert all(torch.isfinite(v) for v in losses.values())


def _class_rows_grad_after_g_step(variant: str) -> float:
    torch.manual_seed(0)
    m = ZhouGAN(small_params(variant=variant), 10, "cpu")
    m.g_step((torch.zeros(8, 3, 16, 16), torch.zeros(8, dtype=torch.long)))
    v = m.nets["D"].fc.parametrizations.weight.original1  # weight-norm direction, per row
    return float(v.grad[1:].abs().sum())


def test_gan_star_classifier_loss_does_not_reach_g() -> None:
    assert _class_rows_grad_after_g_step("gan_star") == 0.0
    assert _class_rows_grad_after_g_step("acgan_star") > 0.0


def test_registered_and_params_checked() -> None:
    info = registry.get("zhou_amgan")
    for key in ("image_size", "variant", "labeling", "z_dim", "batch_size", "lr", "beta1",
                "beta2", "d_input_noise", "d_dropout", "n_eval_samples", "steps", "eval_every",
                "d_width_mult", "aux_weight_g"):
        assert key in info.defaults
    assert {"inception_score", "am_score", "msssim_max", "am_entropy"} <= set(info.metrics)
    with pytest.raises(ValueError, match="variant"):
        INFO.check({**DEFAULTS, "variant": "wgan"})


def test_specs_are_trainable() -> None:
    from reproduce.plan import plan_table
    from reproduce.specs import load_table

    root = Path(__file__).resolve().parents[1]
    spec = load_table(root / "tables" / "zhou" / "1.toml")
    assert all(row.trainable for row in spec.rows)
    smoke = plan_table(spec, "smoke")
    assert len(smoke.runs) == 12  # 6 models x 2 labelings (both data sets -> digits)
    assert {r.config["dataset"] for r in smoke.runs.values()} == {"digits"}
    assert len(plan_table(spec, "paper").runs) == 24


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REPRODUCE_CACHE", str(tmp_path / "cache"))
    return tmp_path


def _ctx(tmp_path: Path, p: dict[str, Any], stop_after: int | None = None) -> FakeCtx:
    ctx = FakeCtx(tmp_path, p, seed=1, stop_after=stop_after, stop_on="progress")
    ctx.config.update(method="zhou_amgan", dataset="digits")
    return ctx


def test_tiny_run_logs_named_metrics(cache: Path) -> None:
    from tests.fake_context import train_as_harness as train

    ctx = _ctx(cache, small_params(variant="amgan", labeling="dynamic"))
    metrics = train(ctx)
    assert sorted(ctx.logged) == [2, 4]
    for key in ("inception_score", "is_marginal_entropy", "is_mean_entropy", "am_score",
                "am_kl", "am_entropy", "msssim_max", "msssim_mean", "g_noise_grad"):
        assert math.isfinite(metrics[key]), key
    assert metrics["am_score"] == pytest.approx(metrics["am_kl"] + metrics["am_entropy"])
    assert math.log(metrics["inception_score"]) <= math.log(10) + 1e-9
    assert "SUBSTITUTE" in metrics["inception_score_extractor"]
    assert "small-cnn" in metrics["am_score_extractor"]
    assert metrics["msssim_labels"].startswith("D's argmax")


@pytest.mark.slow
def test_trainer_resume_equals_uninterrupted(cache: Path) -> None:
    from tests.fake_context import train_as_harness as train

    p = small_params(variant="acgan_star_plus", labeling="predefined", steps=6, eval_every=3,
                     checkpoint_every=2, lr_decay_every=3)
    (cache / "a").mkdir()
    (cache / "b").mkdir()
    full = train(_ctx(cache / "a", p))
    cut = _ctx(cache / "b", p, stop_after=4)
    cut.stop_on = "checkpoint"  # killed after the checkpoint of step 4, past an evaluation
    with pytest.raises(Stop):
        train(cut)
    resumed = _ctx(cache / "b", p)
    assert train(resumed) == full and sorted(resumed.logged) == [6]
