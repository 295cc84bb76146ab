"""Box masks of MED-GAN: the mixing masks of Eq. 1, the prior q_m of Eq. 6, and the
nearby masks of L_cons (Eq. 4) (torch; every draw from torch's global generator).

A box is ``(u0, v0, w, h)`` in pixels (column, row, width, height); its mask is 1 inside.
"""

from __future__ import annotations

import math

import torch


def lambda_boxes(lam: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Eq. 1: sides ``sqrt(1 - lambda) W`` and ``sqrt(1 - lambda) H`` (rounded), top-left
    corner uniform over the positions where the whole box fits in the image."""
    side = torch.sqrt((1.0 - lam).clamp(0.0, 1.0))
    w = torch.round(side * width).long()
    h = torch.round(side * height).long()
    u0 = (torch.rand(len(lam)) * (width - w + 1)).floor().long()
    v0 = (torch.rand(len(lam)) * (height - h + 1)).floor().long()
    return torch.stack([u0, v0, w, h], dim=1)


def sample_lambda(n: int, alpha: float) -> torch.Tensor:
    """lambda ~ Beta(alpha, alpha) (section 5.1: alpha = 0.2)."""
    a = torch.tensor(float(alpha))
    return torch.distributions.Beta(a, a).sample((n,))


def prior_boxes(n: int, height: int, width: int, area: tuple[float, float] = (0.75, 1.0),
                ratio: tuple[float, float] = (3 / 4, 4 / 3)) -> torch.Tensor:
    """q_m (section 4.3): area uniform in ``area`` x the image, aspect ratio w/h
    log-uniform in ``ratio`` (as torchvision's RandomResizedCrop); a side longer than the
    image is cut to it (the area then stays >= 75 % and the ratio within 3/4..4/3)."""
    a = (area[0] + (area[1] - area[0]) * torch.rand(n)) * height * width
    r = torch.exp(math.log(ratio[0]) + (math.log(ratio[1]) - math.log(ratio[0])) * torch.rand(n))
    w = torch.round(torch.sqrt(a * r)).long().clamp(1, width)
    h = torch.round(torch.sqrt(a / r)).long().clamp(1, height)
    u0 = (torch.rand(n) * (width - w + 1)).floor().long()
    v0 = (torch.rand(n) * (height - h + 1)).floor().long()
    return torch.stack([u0, v0, w, h], dim=1)


def box_masks(boxes: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Binary masks (n, 1, H, W), float32, 1 inside each box."""
    cols = torch.arange(width)[None, :]
    rows = torch.arange(height)[None, :]
    u0, v0, w, h = boxes.unbind(1)
    in_u = (cols >= u0[:, None]) & (cols < (u0 + w)[:, None])
    in_v = (rows >= v0[:, None]) & (rows < (v0 + h)[:, None])
    return (in_v[:, :, None] & in_u[:, None, :]).float()[:, None]


def near_boxes(boxes: torch.Tensor, height: int, width: int, eps: float,
               max_move: float = 0.25, tries: int = 8) -> torch.Tensor:
    """Boxes whose masks differ from those of ``boxes`` in less than a share ``eps`` of
    the pixels (Eq. 4's ||m_lambda - m_lambda'|| < epsilon, the norm being the mean
    absolute difference): each edge moves by up to ``max_move`` of the image side; a
    candidate too far is moved half as much, up to ``tries`` times, then kept equal."""
    base = box_masks(boxes, height, width)
    out = boxes.clone()
    todo = torch.ones(len(boxes), dtype=torch.bool)
    edges = torch.stack([boxes[:, 0], boxes[:, 1], boxes[:, 0] + boxes[:, 2],
                         boxes[:, 1] + boxes[:, 3]], dim=1)
    limit = torch.tensor([width, height, width, height])
    moves = (torch.rand(len(boxes), 4) * 2 - 1) * max_move * limit
    for _ in range(tries):
        e = (edges + moves.round().long()).clamp(torch.zeros(4, dtype=torch.long), limit)
        e[:, 2] = torch.maximum(e[:, 2], e[:, 0])
        e[:, 3] = torch.maximum(e[:, 3], e[:, 1])
        cand = torch.stack([e[:, 0], e[:, 1], e[:, 2] - e[:, 0], e[:, 3] - e[:, 1]], dim=1)
        diff = (box_masks(cand, height, width) - base).abs().mean(dim=(1, 2, 3))
        ok = todo & (diff < eps)
        out[ok] = cand[ok]
        todo &= ~ok
        moves = moves / 2
    return out


def mask_area(masks: torch.Tensor) -> torch.Tensor:
    """The share of each mask's pixels inside its box (= 1 - lambda for Eq. 1's masks)."""
    return masks.mean(dim=(1, 2, 3))


def mix(x_i: torch.Tensor, x_j: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    """Eq. 1: ``m * x_i + (1 - m) * x_j`` (``m`` broadcast over channels)."""
    return m * x_i + (1.0 - m) * x_j
