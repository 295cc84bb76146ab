"""Refusing host reads of tensors: a training step that reads a tensor's value on the host
(``.item()``, ``float(t)``, ``if t:``, ...) makes the host wait for the device."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
import torch

SYNCS = ("item", "__bool__", "__float__", "__int__", "tolist", "numpy")


def refuse_host_reads(monkeypatch: pytest.MonkeyPatch,
                      allowed: Iterable[torch.Tensor] = ()) -> None:
    """Make every host read of a tensor raise, except reads of the ``allowed`` tensors
    themselves (such as the CPU step counts that a non-fused optimiser reads)."""
    keep = list(allowed)

    for name in SYNCS:
        original = getattr(torch.Tensor, name)

        def refuse(self: torch.Tensor, *args: object, _read: object = original,
                   **kwargs: object) -> object:
            if any(self is t for t in keep):
                return _read(self, *args, **kwargs)  # type: ignore[operator]
            raise AssertionError("a training step read a tensor on the host")

        monkeypatch.setattr(torch.Tensor, name, refuse)


def optimiser_steps(optimizers: Iterable[torch.optim.Optimizer]) -> list[torch.Tensor]:
    """The step-count tensors of the optimisers' states (after their first step)."""
    return [s["step"] for opt in optimizers for s in opt.state.values()
            if torch.is_tensor(s.get("step"))]
