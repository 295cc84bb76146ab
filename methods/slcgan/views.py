"""The random view ``T(x)`` of slcGAN's multiple view clustering (Eq. 5): cropping, colour
jittering and flipping (the paper names the three, not their strengths) (torch).

Images are float tensors (N, C, H, W) in [-1, 1]; every draw uses torch's global
generator (checkpointed by the engine). Per image:

- a random resized crop: area share uniform in [``crop_min``, 1], aspect ratio
  log-uniform in [3/4, 4/3], a uniformly placed box, resampled to the input size
  (bilinear), as torchvision's RandomResizedCrop;
- a horizontal flip with probability 1/2;
- colour jitter with probability ``jitter_prob``: brightness, contrast and saturation
  factors uniform in [1 - ``jitter``, 1 + ``jitter``] applied in that order (no hue
  change); grey images get brightness and contrast only.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def random_resized_crop(x: torch.Tensor, crop_min: float) -> torch.Tensor:
    """Crop a random box of each image (area share in [crop_min, 1]) back to full size."""
    n = len(x)
    area = torch.empty(n, device=x.device).uniform_(crop_min, 1.0)
    log_r = torch.empty(n, device=x.device).uniform_(math.log(3 / 4), math.log(4 / 3))
    ratio = torch.exp(log_r)
    w = torch.sqrt(area * ratio).clamp(max=1.0)  # box width / image width
    h = torch.sqrt(area / ratio).clamp(max=1.0)
    cx = (torch.rand(n, device=x.device) * 2 - 1) * (1 - w)  # centre in [-1 + w, 1 - w]
    cy = (torch.rand(n, device=x.device) * 2 - 1) * (1 - h)
    theta = torch.zeros(n, 2, 3, device=x.device, dtype=x.dtype)
    theta[:, 0, 0], theta[:, 0, 2], theta[:, 1, 1], theta[:, 1, 2] = w, cx, h, cy
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def random_flip(x: torch.Tensor) -> torch.Tensor:
    """Flip each image left-right with probability 1/2."""
    flip = torch.rand(len(x), device=x.device) < 0.5
    return torch.where(flip[:, None, None, None], x.flip(3), x)


def colour_jitter(x: torch.Tensor, strength: float, prob: float) -> torch.Tensor:
    """Brightness, contrast, saturation jitter on images in [-1, 1] (clamped back)."""
    n = len(x)
    if strength <= 0 or prob <= 0:
        return x
    y = (x + 1.0) / 2.0

    def factor() -> torch.Tensor:
        return torch.empty(n, 1, 1, 1, device=x.device).uniform_(1 - strength, 1 + strength)

    y = (y * factor()).clamp(0, 1)
    mean = y.mean(dim=(1, 2, 3), keepdim=True)
    y = ((y - mean) * factor() + mean).clamp(0, 1)
    if y.shape[1] == 3:
        grey = (0.299 * y[:, 0] + 0.587 * y[:, 1] + 0.114 * y[:, 2]).unsqueeze(1)
        y = ((y - grey) * factor() + grey).clamp(0, 1)
    apply = torch.rand(n, device=x.device) < prob
    return torch.where(apply[:, None, None, None], y * 2.0 - 1.0, x)


def random_view(x: torch.Tensor, crop_min: float, jitter: float, jitter_prob: float
                ) -> torch.Tensor:
    """``T(x)``: crop, flip, colour jitter."""
    return colour_jitter(random_flip(random_resized_crop(x, crop_min)), jitter, jitter_prob)
