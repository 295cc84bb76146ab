"""watanabe_selflabel: losses against hand-computed values (multi-class hinge over 2K
outputs, self-attention, EMA teacher, Eq. 11 on a batch mixing labelled and unlabelled
images), evaluation measures, registration and specs, and tiny runs of every variant."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from methods import registry
from methods.watanabe import losses as L
from methods.watanabe.config import DEFAULTS, INFO, PROBE_PARAMS
from methods.watanabe.evaluate import dominant_class_ratio, dominant_class_share
from methods.watanabe.teacher import Teacher, ema_update

torch.set_num_threads(1)
ROOT = Path(__file__).resolve().parents[1]


# --- losses ------------------------------------------------------------------------------------

def test_multiclass_hinge_over_2k_outputs_by_hand() -> None:
    # K = 2: outputs (real 0, real 1, fake 0, fake 1)
    s = torch.tensor([[2.0, 0.5, -1.0, 0.0]] * 3 + [[1.0, 1.5, 0.0, 0.2]])
    t = torch.tensor([0, 1, 3, 1])
    # max(0, 1 - s_t + max_{j != t} s_j)
    want = [max(0.0, 1 - 2 + 0.5), 1 - 0.5 + 2, 1 - 0 + 2, 1 - 1.5 + 1]
    assert L.multiclass_hinge(s, t).tolist() == pytest.approx(want)


def test_unconditional_hinge_and_g_losses_by_hand() -> None:
    real, fake = torch.tensor([[0.5, 2.0]]), torch.tensor([[-2.0, 0.0]])
    assert L.d_uncond_loss(real, fake).item() == pytest.approx((0.5 + 0) / 2 + (0 + 1) / 2)
    # Algorithm 1's Hinge(D^U(G)): mean of max(0, 1 - d) = (3 + 1) / 2; BigGAN's -mean(d) = 1
    assert L.g_uncond_loss(fake).item() == pytest.approx(2.0)
    assert L.g_uncond_loss(fake, "linear").item() == pytest.approx(1.0)
    assert L.g_uncond_loss(torch.tensor([[2.0, 1.5]])).item() == 0.0
    cond = torch.tensor([[1.0, 1.5, 0.0, 0.2]])
    assert L.g_cond_loss(cond, torch.tensor([1])).item() == pytest.approx(0.5)


def test_self_labeling_and_self_attention_mask() -> None:
    logits = torch.log(torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]))
    y_hat, p_c = L.self_label(logits)  # Eqs. 8, 9
    assert y_hat.tolist() == [0, 2]
    assert p_c.tolist() == pytest.approx([0.7, 0.8])
    p = torch.tensor([0.96, 0.95, 0.5, 0.949])
    assert L.attention_mask(p, 0.95).tolist() == [True, True, False, False]  # p_c >= Th
    assert L.attention_mask(p, 0.95, enabled=False).tolist() == [True] * 4
    assert L.attention_mask(p, 0.0).all()


def test_teacher_loss_is_cross_entropy() -> None:
    logits = torch.log(torch.tensor([[0.25, 0.75]]))
    assert L.teacher_loss(logits, torch.tensor([1])).item() == pytest.approx(-math.log(0.75))


def test_ema_update_by_hand() -> None:
    ema, cur = [torch.tensor([1.0, 2.0])], [torch.tensor([3.0, 0.0])]
    ema_update(ema, cur, 0.999)
    assert ema[0].tolist() == pytest.approx([1.002, 1.998])


def test_teacher_ema_network_update() -> None:
    torch.manual_seed(0)
    t = Teacher(3, "resnet18-tiny", 3, ema_decay=0.999)
    with torch.no_grad():
        for e, c in zip(t.ema.parameters(), t.net.parameters(), strict=True):
            e.fill_(0.0)
            c.fill_(1.0)
        t.net.stem[1].running_mean.fill_(0.5)
    t.update_ema()
    assert all(torch.allclose(e, torch.full_like(e, 0.001)) for e in t.ema.parameters())
    assert torch.allclose(t.ema.stem[1].running_mean, torch.full((8,), 0.5))  # buffers copied
    assert not any(p.requires_grad for p in t.ema.parameters())
    assert t.opt.defaults["nesterov"] and t.opt.defaults["momentum"] == 0.9


def test_teacher_train_step_learns_only_from_fakes() -> None:
    torch.manual_seed(0)
    t = Teacher(2, "resnet18-tiny", 3, lr=0.05, ema_decay=0.0)
    x = torch.cat([torch.full((4, 3, 16, 16), -0.8), torch.full((4, 3, 16, 16), 0.8)])
    c = torch.tensor([0] * 4 + [1] * 4)
    first = t.train_step(x, c).item()
    for _ in range(20):
        last = t.train_step(x, c).item()
    assert last < first
    y_hat, p_c = t.predict(x)
    assert y_hat.shape == (8,) and ((p_c >= 0.5) & (p_c <= 1)).all()


def _eq11_batch() -> dict[str, torch.Tensor]:
    # K = 2; 4 reals: image 0 labelled (y = 0), 1 unlabelled, 2 labelled (y = 1), 3 unlabelled;
    # the first 2 form the small (64-image) batch; self-labels and reliabilities:
    return {
        "cond_real": torch.tensor([[1.0, 0.0, 1.5, 0.0], [0.0, 1.0, 0.0, 3.0],
                                   [0.0, 2.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]]),
        "y": torch.tensor([0, -1, 1, -1]),
        "y_hat": torch.tensor([1, 0, 1, 1]),
        "p_c": torch.tensor([0.99, 0.97, 0.5, 0.2]),
        "cond_fake": torch.tensor([[0.0, 0.0, 2.0, 1.0], [1.0, 0.0, 0.0, 0.5]]),
        "c": torch.tensor([0, 1]),
    }


def _eq11(mode: str, self_labeling: bool = True, self_attention: bool = True,
          norm: str = "selected", unlabel_all: bool = False) -> dict[str, float]:
    b = _eq11_batch()
    y = torch.full_like(b["y"], -1) if unlabel_all else b["y"]
    in_small = torch.arange(4) < 2
    real_mask, teacher_mask = L.real_term_masks(y >= 0, in_small, mode, self_labeling)
    att = L.attention_mask(b["p_c"], 0.95, self_attention)
    out = L.d_cond_loss(b["cond_real"], y, b["y_hat"], real_mask, teacher_mask, att,
                        b["cond_fake"], b["c"], 2, norm)
    return {k: v.item() for k, v in out.items()}


def test_eq11_on_a_batch_mixing_labelled_and_unlabelled_images() -> None:
    # per-image hinges (by hand): real term: image 0 with y = 0: 1 - 1 + 1.5 = 1.5;
    # teacher term: image 0 with y_hat = 1: 1 - 0 + 1.5 = 2.5, image 1 with y_hat = 0:
    # 1 - 0 + 3 = 4, image 2: max(0, 1 - 2 + 0) = 0, image 3: 1 - 1 + 1 = 1;
    # fakes with targets c + K = (2, 3): max(0, 1 - 2 + 1) = 0 and 1 - 0.5 + 1 = 1.5.
    fake = (0.0 + 1.5) / 2
    both = _eq11("both")  # selected (p_c >= 0.95): images 0 and 1
    assert both["real_label"] == pytest.approx(1.5)
    assert both["self_label"] == pytest.approx((2.5 + 4.0) / 2)
    assert both["fake"] == pytest.approx(fake)
    assert both["loss"] == pytest.approx(1.5 + 3.25 + 0.75)
    assert _eq11("eq11")["loss"] == pytest.approx(1.5 + 4.0 + fake)  # unlabelled only: image 1
    assert _eq11("real")["loss"] == pytest.approx(1.5 + fake)
    assert _eq11("artificial")["loss"] == pytest.approx(3.25 + fake)
    assert _eq11("both", norm="batch")["self_label"] == pytest.approx((2.5 + 4.0) / 4)
    no_att = _eq11("both", self_attention=False)  # Table 1 (B): every self-label
    assert no_att["self_label"] == pytest.approx((2.5 + 4.0 + 0.0 + 1.0) / 4)
    assert _eq11("both", self_labeling=False)["loss"] == pytest.approx(1.5 + fake)  # (A)
    unlabelled = _eq11("both", unlabel_all=True)  # label rate 0
    assert unlabelled["real_label"] == 0.0 and unlabelled["loss"] == pytest.approx(3.25 + fake)
    with pytest.raises(ValueError):
        _eq11("bogus")


def test_r1_penalty_by_hand() -> None:
    x = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]], requires_grad=True)
    dec = 3.0 * x  # per-image mean 3 * mean(x): gradient 3/4 per pixel, |g|^2 = 9/4
    assert L.r1_penalty(dec, x, 10.0).item() == pytest.approx(0.5 * 10 * 9 / 4)


def test_cutmix_losses_by_hand() -> None:
    mask = torch.tensor([[[[1.0, 0.0]]]])
    out = L.cutmix_losses(torch.tensor([[[[0.5, 0.5]]]]), torch.tensor([[[[2.0, 2.0]]]]),
                          torch.tensor([[[[-1.0, -1.0]]]]), mask)
    assert out["mix_hinge"].item() == pytest.approx((0.5 + 1.5) / 2)
    assert out["consistency"].item() == pytest.approx((1.5**2 + 1.5**2) / 2)


# --- evaluation measures ----------------------------------------------------------------------

def test_dominant_class_ratio_and_share_by_hand() -> None:
    y_true = np.array([0, 0, 1, 1, 1, 2, 2, 0])
    y_hat = np.array([0, 0, 0, 1, 1, 1, 1, 1])
    p_c = np.array([0.9, 0.9, 0.2, 0.99, 0.8, 0.99, 0.99, 0.3])
    # Th 0: label 0 -> (0, 0, 1): 2/3; label 1 -> (1, 1, 2, 2, 0): 2/5
    assert dominant_class_ratio(y_true, y_hat, p_c, 0.0) == pytest.approx((2 / 3 + 2 / 5) / 2)
    # Th 0.85: label 0 -> (0, 0): 1; label 1 -> (1, 2, 2): 2/3
    assert dominant_class_ratio(y_true, y_hat, p_c, 0.85) == pytest.approx((1 + 2 / 3) / 2)
    assert dominant_class_ratio(y_true, y_hat, p_c, 1.0) is None
    # class 0 dominates label 0; its share there at Th 0: 2/3, at 0.85: 1
    assert dominant_class_share(y_true, y_hat, p_c, 0.0, 0) == pytest.approx(2 / 3)
    assert dominant_class_share(y_true, y_hat, p_c, 0.85, 0) == pytest.approx(1.0)
    # class 2 dominates no label (ties go to the lower class): its largest share is label 1
    assert dominant_class_share(y_true, y_hat, p_c, 0.95, 2) == pytest.approx(2 / 3)


# --- registration and specs -------------------------------------------------------------------

def test_registered_with_every_spec_param() -> None:
    info = registry.get("watanabe_selflabel")
    assert info.build == "methods.watanabe.trainer:build" and info.eval_params == PROBE_PARAMS
    assert "GPU-hours" in info.cost_note
    assert {"fid", "teacher_acc", "dominant_class_ratio", "dominant_class_share"} <= set(
        info.metrics)
    INFO.check(dict(DEFAULTS))
    with pytest.raises(ValueError, match="cond_loss"):
        INFO.check({**DEFAULTS, "cond_loss": "labels"})
    with pytest.raises(ValueError, match="label_rate"):
        INFO.check({**DEFAULTS, "label_rate": 1.5})


def test_watanabe_specs_are_trainable() -> None:
    from reproduce.figspecs import load_figure
    from reproduce.plan import plan_table
    from reproduce.specs import load_table

    for path in sorted((ROOT / "tables" / "watanabe").glob("*.toml")):
        spec = load_table(path)
        assert not any(row.pending for row in spec.rows), path.name
        smoke = plan_table(spec, "smoke")
        assert {r.config["dataset"] for r in smoke.runs.values()} <= {"digits"}, path.name
        paper = plan_table(spec, "paper")
        assert all(r.config["params"]["fid_extractor"] == "inception"
                   for r in paper.runs.values())
    for path in sorted((ROOT / "figures" / "watanabe").glob("*.toml")):
        assert not any(s.pending for s in load_figure(path).series), path.name
    t1 = plan_table(load_table(ROOT / "tables" / "watanabe" / "1.toml"), "paper")
    t2 = plan_table(load_table(ROOT / "tables" / "watanabe" / "2.toml"), "paper")
    assert set(t2.runs) < set(t1.runs)  # Table 2 'Ours' = the runs of Table 1 (C)
