"""Optimisers of the image methods, chosen per device: fused kernels on cuda (one launch
per step, step counts on the device, no host reads), the multi-tensor ``foreach`` form
elsewhere (on the CPU equal, bit for bit, to the default single-tensor Adam)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch


def _flags(device: torch.device | str) -> dict[str, Any]:
    if torch.device(device).type == "cuda":
        return {"fused": True, "foreach": None}
    return {"fused": None, "foreach": True}


def _keep_flags(flags: dict[str, Any]) -> Any:
    """A load_state_dict post-hook: a checkpoint written on another device keeps this
    device's implementation (a state dict carries its groups' flags), with the step
    counts where that implementation reads them (fused: on the parameters' device)."""

    def hook(opt: torch.optim.Optimizer) -> None:
        for group in opt.param_groups:
            group.update(flags)
            for p in group["params"]:
                state = opt.state.get(p, {})
                if torch.is_tensor(state.get("step")):
                    where = p.device if flags["fused"] else torch.device("cpu")
                    state["step"] = state["step"].to(where, torch.float32)

    return hook


def adam(params: Iterable[torch.nn.Parameter], lr: float, betas: tuple[float, float],
         device: torch.device | str) -> torch.optim.Adam:
    """``torch.optim.Adam(params, lr, betas)`` in the implementation that suits ``device``."""
    flags = _flags(device)
    opt = torch.optim.Adam(params, lr=lr, betas=betas, **flags)
    opt.register_load_state_dict_post_hook(_keep_flags(flags))
    return opt
