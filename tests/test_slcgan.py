"""slcGAN's updates (who is trained by what), its evaluation pieces against scikit-learn,
and short training runs of every variant on digits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression

from methods import registry
from methods.engine import protocol
from methods.slcgan import losses as L
from methods.slcgan.evaluate import c_outputs, cluster_sizes, probe
from methods.slcgan.model import SlcGAN, frozen
from reproduce.data.images import load_image_dataset
from tests.fake_context import FakeCtx

INFO = registry.get("noroozi_slcgan")
TINY = dict(image_size=16, channels=1, batch_size=8, ch=2, z_dim=8, embed_dim=4,
            c_arch="resnet18-tiny", num_clusters=5, device="cpu")


class Stream:
    """A stand-in for the engine's batch stream: counts the real batches it hands out."""

    def __init__(self) -> None:
        self.calls = 0

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        self.calls += 1
        return torch.rand(8, 1, 16, 16) * 2 - 1, torch.randint(0, 10, (8,))


def _model(**kw: object) -> SlcGAN:
    torch.manual_seed(0)
    return SlcGAN(INFO.typed({**TINY, **kw}), 10, Stream(), "cpu")  # type: ignore[arg-type]


def _snapshot(net: torch.nn.Module) -> list[torch.Tensor]:
    return [t.detach().clone() for t in list(net.parameters()) + list(net.buffers())]


def _changed(before: list[torch.Tensor], net: torch.nn.Module) -> bool:
    after = list(net.parameters()) + list(net.buffers())
    return any(not torch.equal(a, b) for a, b in zip(before, after, strict=True))


def test_mi_gradient_reaches_g_and_not_c() -> None:
    m = _model()
    G, C = m.nets["G"], m.nets["C"]
    x_fake, c, _ = m.fake(8)
    c_state = _snapshot(C)
    with frozen(C, eval_mode=True):
        L.mutual_information(C(x_fake), c).backward()
    assert all(q.grad is None for q in C.parameters())
    assert sum(float(q.grad.abs().sum()) for q in G.parameters() if q.grad is not None) > 0
    assert not _changed(c_state, C)  # batch-norm statistics untouched by fakes
    assert all(q.requires_grad for q in C.parameters()) and C.training  # restored


def test_g_update_changes_only_g() -> None:
    m = _model()
    before = {k: _snapshot(n) for k, n in m.nets.items()}
    d_params = [t.detach().clone() for t in m.nets["D"].parameters()]
    out = m.generator_update(8)
    assert {"loss_g", "loss_mi"} <= set(out)
    assert _changed(before["G"], m.nets["G"]) and not _changed(before["C"], m.nets["C"])
    # D's weights (not its spectral-norm power-iteration buffers) stay as they were
    assert all(torch.equal(a, b) for a, b in zip(d_params, m.nets["D"].parameters(),
                                                 strict=True))


def test_c_update_uses_reals_only_and_changes_only_c(monkeypatch: pytest.MonkeyPatch) -> None:
    m = _model()
    monkeypatch.setattr(m.nets["G"], "forward", lambda *a: pytest.fail("C's update ran G"))
    before = {k: _snapshot(n) for k, n in m.nets.items()}
    d_params = [t.detach().clone() for t in m.nets["D"].parameters()]
    out = m.clustering_update(m.stream.next())
    assert {"loss_c_adv", "loss_aug"} <= set(out)
    assert _changed(before["C"], m.nets["C"])
    assert all(torch.equal(a, b) for a, b in zip(d_params, m.nets["D"].parameters(),
                                                 strict=True))


def test_g_step_takes_a_fresh_real_batch_for_c() -> None:
    m = _model()
    batch = m.stream.next()
    m.g_step(batch)
    assert m.stream.calls == 2  # the D batch above, then C's own
    ugan = _model(conditioning="none")
    ugan.g_step(batch)
    assert ugan.stream.calls == 0  # a uGAN never trains C


def test_d_step_changes_only_d_weights() -> None:
    m = _model()
    params = {k: [t.detach().clone() for t in n.parameters()] for k, n in m.nets.items()}
    m.d_step(m.stream.next())
    for k, net in m.nets.items():  # (G's and C's batch-norm statistics follow their inputs)
        same = [torch.equal(a, b) for a, b in zip(params[k], net.parameters(), strict=True)]
        assert all(same) == (k != "D"), k


def test_d_without_spectral_norm_keeps_its_xavier_weights() -> None:
    from torch.nn.utils import parametrize

    from methods.nets.biggan_prob import ProjectionDiscriminator

    torch.manual_seed(0)
    with_sn = ProjectionDiscriminator(5, 2, 16, 1, use_sn=True)
    torch.manual_seed(0)
    plain = ProjectionDiscriminator(5, 2, 16, 1, use_sn=False)
    convs = list(zip((m for m in with_sn.blocks.modules() if isinstance(m, torch.nn.Conv2d)),
                     (m for m in plain.blocks.modules() if isinstance(m, torch.nn.Conv2d)),
                     strict=True))
    assert convs and not any(parametrize.is_parametrized(b) for _, b in convs)
    for a, b in convs:  # the same draws; the unnormalised weights
        assert torch.equal(a.parametrizations.weight.original, b.weight)


def test_k_from_the_grid_and_from_the_labels() -> None:
    assert _model(k_size="large", k_grid=[3, 6, 9]).k == 9
    assert _model(conditioning="labels").k == 10
    assert _model(clustering_net="supervised").k == 10
    with pytest.raises(ValueError, match="k_grid"):
        _model(k_size="small", k_grid=[3, 6])


def test_probe_matches_sklearn_logistic_regression_on_c_features() -> None:
    torch.manual_seed(0)
    m = _model()
    train = load_image_dataset("digits", split="train", image_size=16)
    test = load_image_dataset("digits", split="test", image_size=16)
    _, f_tr = c_outputs(m.nets["C"].eval(), train.uint8(np.arange(800)), "cpu")
    _, f_te = c_outputs(m.nets["C"], test.uint8(np.arange(len(test))), "cpu")
    y_tr = train.labels[:800]
    ours = probe(f_tr, y_tr, f_te, test.labels, epochs=300, device="cpu")
    mu, sd = f_tr.mean(0), f_tr.std(0) + 1e-8  # the probe standardises its inputs too
    # the probe has no weight decay: a weakly regularised logistic regression
    ref = LogisticRegression(C=100.0, max_iter=5000).fit((f_tr - mu) / sd, y_tr)
    assert ours == pytest.approx(100.0 * ref.score((f_te - mu) / sd, test.labels), abs=3.0)
    assert ours > 50.0  # well above chance (10 %) even for an untrained C


def test_cluster_sizes_kmeans_finds_unequal_blobs() -> None:
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [20.0, 0.0], [0.0, 20.0]])
    feats = np.concatenate([c + rng.normal(size=(n, 2)) for c, n in zip(centres, (10, 20, 30),
                                                                          strict=True)])
    sizes = cluster_sizes(np.zeros(60, np.int64), feats, 3, "kmeans", seed=0)
    assert sorted(sizes.tolist()) == [10, 20, 30]
    ref = KMeans(3, n_init=10, random_state=1).fit_predict(feats)
    assert sorted(np.bincount(ref).tolist()) == sorted(sizes.tolist())
    # C's argmax: every one of the K clusters counted, empty ones as 0
    assert cluster_sizes(np.array([0, 0, 2]), feats[:3], 4, "clustering_net", 0).tolist() == [
        2, 0, 1, 0]


@pytest.mark.parametrize("variant", [
    {}, {"conditioning": "labels"}, {"conditioning": "none"},
    {"conditioning": "labels", "clustering_net": "supervised"}, {"untrained": True},
    {"aug_weight": 0.0, "cluster_sizes_from": "kmeans"}])
def test_short_runs_of_every_variant(tmp_path: Path, variant: dict) -> None:
    params = {**TINY, "steps": 2, "eval_every": 2, "checkpoint_every": 2, "n_eval_samples": 40,
              "is_extractor": "classifier", "fid_extractor": "randproj-v1", "fid_n_real": 100,
              "n_probe_train": 200, "n_cluster_eval": 100, "n_cluster_sizes": 200,
              "probe_epochs": 5, **variant}
    ctx = FakeCtx(tmp_path, params, 0, method="noroozi_slcgan", dataset="digits")
    metrics = protocol.train(ctx)
    for key in ("inception_score", "fid", "cluster_acc", "purity", "linear_sep"):
        assert np.isfinite(metrics[key]), key
    assert "SUBSTITUTE" in metrics["fid_extractor"]
    assert "SUBSTITUTE" in metrics["inception_score_extractor"]
    sizes = np.load(tmp_path / "cluster_sizes.npz")["values"]
    assert sizes.sum() == 200 and len(sizes) == metrics["num_clusters"]


@pytest.mark.parametrize("kind,ident", [("table", "1"), ("table", "2"), ("table", "3"),
                                        ("table", "4"), ("table", "no-mvc"), ("figure", "4")])
def test_every_noroozi_spec_plans_at_both_scales(tmp_path: Path, capsys, kind: str,
                                                 ident: str) -> None:
    from reproduce.cli import main

    args = ["plan", "--paper", "noroozi", "--id", ident, "--store", str(tmp_path)]
    args += ["--figure"] if kind == "figure" else []
    assert main(args) == 0
    paper = capsys.readouterr().out
    assert "0 pending" in paper and "GPU-hours" in paper
    assert main([*args, "--profile", "smoke"]) == 0
    assert "noroozi_slcgan" in capsys.readouterr().out
