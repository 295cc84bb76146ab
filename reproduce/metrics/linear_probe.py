"""Linear separability: a linear softmax classifier on frozen features (Noroozi Table 4)."""

from __future__ import annotations

from typing import Any

import numpy as np


def linear_separability(
    train_feats: np.ndarray,
    train_labels: np.ndarray,
    test_feats: np.ndarray,
    test_labels: np.ndarray,
    *,
    epochs: int = 100,
    batch_size: int = 256,
    lr: float = 1e-2,
    weight_decay: float = 0.0,
    standardize: bool = True,
    seed: int = 0,
    device: str = "cpu",
) -> dict[str, Any]:
    """Train ``W x + b`` with cross-entropy (Adam) on train features; report test accuracy.

    No non-linearity and no batch norm. ``standardize`` scales features by the train
    mean/std (an affine map, so the model class stays linear). Returns a record with
    test_acc, train_acc, n_train, n_test, dim, epochs.
    """
    import torch

    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    xtr = torch.as_tensor(np.asarray(train_feats), dtype=torch.float32)
    xte = torch.as_tensor(np.asarray(test_feats), dtype=torch.float32)
    ytr = torch.as_tensor(np.asarray(train_labels).reshape(-1), dtype=torch.int64)
    yte = torch.as_tensor(np.asarray(test_labels).reshape(-1), dtype=torch.int64)
    if standardize:
        mu, sd = xtr.mean(0), xtr.std(0).clamp_min(1e-8)
        xtr, xte = (xtr - mu) / sd, (xte - mu) / sd
    xtr, xte, ytr, yte = (t.to(device) for t in (xtr, xte, ytr, yte))
    k = int(max(ytr.max(), yte.max())) + 1
    model = torch.nn.Linear(xtr.shape[1], k).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    for _ in range(epochs):
        perm = torch.randperm(len(xtr), generator=g).to(device)
        for i in range(0, len(xtr), batch_size):
            idx = perm[i : i + batch_size]
            loss = torch.nn.functional.cross_entropy(model(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
    with torch.no_grad():
        train_acc = (model(xtr).argmax(1) == ytr).float().mean().item()
        test_acc = (model(xte).argmax(1) == yte).float().mean().item()
    return {"test_acc": test_acc, "train_acc": train_acc, "n_train": len(xtr),
            "n_test": len(xte), "dim": int(xtr.shape[1]), "epochs": epochs}
