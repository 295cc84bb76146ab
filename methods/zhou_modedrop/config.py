"""Registration of ``zhou_modedrop`` (torch-free): zhou section 6.3, Figure 5.

N points x_0 .. x_{N-1}, point i with class distribution C(x_i) = v(i) (one-hot) and
density w_i over the classes: (a) ``density = "uniform"``, w_i = 1/N; (b) ``"gaussian"``,
w_i proportional to exp(-(i - (N-1)/2)^2 / (2 s^2)) with s = ``gaussian_sigma_frac`` * N
(the paper gives neither N nor the Gaussian's width: ``n_classes = 100`` and s = N/6 are
our choices). For every m = 0 .. N-1, ``n_trials`` (the paper: 1000) random droppings of
m points; each trial's value is E_x[KL(C(x) || C_G)] over the kept points (C_G the mean
class distribution of the kept points under w). One evaluation per m, step = m, with
``kl_mean``, ``kl_min``, ``kl_max`` (the figure's min/max error bars) and ``n_kept``.
"""

from __future__ import annotations

from methods.deviations import Deviation
from methods.params import POSITIVE, at_least, one_of
from methods.registry import MethodInfo, register

DEFAULTS: dict[str, object] = {
    "density": "uniform",  # uniform | gaussian (Figure 5a / 5b)
    "n_classes": 100,  # N (our choice)
    "n_trials": 1000,  # random droppings per m (Figure 5 caption)
    "gaussian_sigma_frac": 1.0 / 6.0,  # s / N for the Gaussian density (our choice)
}

PAPER_VALUES: dict[str, tuple[object, str]] = {
    "n_trials": (1000, "Figure 5 caption (1000 random droppings)"),
}

DEVIATIONS: tuple[Deviation, ...] = (
    Deviation("n_classes", "silent (N points of one-hot class distributions)", 100, "-",
              "enough points for smooth curves"),
    Deviation("gaussian_sigma_frac", "Figure 5b: a Gaussian density over the points (width "
              "not stated)", 1.0 / 6.0, "-", "+-3 s spans the points"),
)

INFO = register(
    MethodInfo(
        name="zhou_modedrop",
        rules={"density": one_of("uniform", "gaussian"), "n_classes": at_least(2),
               "n_trials": at_least(1), "gaussian_sigma_frac": POSITIVE},
        trainer="methods.zhou_modedrop.trainer:train",
        defaults=DEFAULTS,
        metrics=("kl_mean", "kl_min", "kl_max", "n_kept"),
        paper="zhou",
        deviations=DEVIATIONS,
        paper_values=PAPER_VALUES,
        description="E_x[KL(C(x) || C_G)] of one-hot points with m of N dropped at random "
        "(section 6.3, Figure 5), numpy only",
        cost_cpu_seconds=5.0,
    )
)
