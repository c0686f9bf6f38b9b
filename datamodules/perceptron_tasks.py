"""Two small generated tasks for the perceptron: a linearly separable set with a known margin, and XOR.

- ``separable``: ``n`` points uniform in the cube [-1, 1]^dim, labelled by a random hyperplane
  u . x + c > 0 (u a unit vector, c uniform in [-0.5, 0.5]); points closer than ``margin`` to
  the plane are redrawn, so the set is separable with at least that margin. ``separator``
  gives (u, c), from which a test computes Novikoff's R and gamma.
- ``xor``: the four corners of the unit square, labelled x1 XOR x2: not linearly separable
  (Minsky & Papert 1969), so a single layer of threshold units never answers all four right.

Both are built from ``seed`` (no files, the same on every run). Validation is the training set
itself: what the theorem is about is whether the training patterns are all answered right.
"""

from __future__ import annotations

from typing import Literal

import lightning.pytorch as L
import torch
from torch import Tensor

from landmark.data import TensorBatches, shard
from landmark.datasets import Dataset

__all__ = ["PerceptronTasks", "separable_set", "xor_set", "DATASETS"]

DATASETS = [
    Dataset(
        name="perceptron-separable",
        generated=True,
        title="Points in [-1, 1]^d labelled by a random hyperplane, with a guaranteed margin (perceptron convergence)",
        size="generated: 500 points in 10 dimensions by default",
    ),
    Dataset(
        name="perceptron-xor",
        generated=True,
        title="The four corners of the unit square labelled XOR: not linearly separable",
        citation="M. Minsky, S. Papert, Perceptrons, MIT Press, 1969",
        size="generated: 4 points",
    ),
]


def separable_set(n: int, dim: int, margin: float, seed: int) -> tuple[Tensor, Tensor, Tensor, float]:
    """(x (n, dim), labels (n,), u (dim,), c): labels 1[u . x + c > 0], every |u . x + c| >= margin."""
    g = torch.Generator().manual_seed(seed)
    u = torch.randn(dim, generator=g, dtype=torch.float64)
    u /= u.norm()
    c = float(torch.rand(1, generator=g, dtype=torch.float64) - 0.5)
    kept: list[Tensor] = []
    have, tries = 0, 0
    while have < n:
        x = torch.rand(4 * n, dim, generator=g, dtype=torch.float64) * 2 - 1
        x = x[(x @ u + c).abs() >= margin]
        kept.append(x)
        have += len(x)
        tries += 1
        if tries > 1000:
            raise ValueError(f"margin={margin}: too few points of [-1, 1]^{dim} lie that far from the plane")
    x = torch.cat(kept)[:n]
    return x.float(), (x @ u + c > 0).long(), u, c


def xor_set() -> tuple[Tensor, Tensor]:
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return x, torch.tensor([0, 1, 1, 0])


class PerceptronTasks(L.LightningDataModule):
    """A generated task, in memory; validation and test are the training set.

    Args:
        task: ``separable`` (random hyperplane with a margin) or ``xor`` (the 4 corners).
        n: separable only: how many points.
        dim: separable only: input dimension.
        margin: separable only: smallest distance of a point from the labelling plane.
        seed: the points and the plane (separable), and the per-epoch shuffle.
        batch_size: patterns per training step (0: all); a perceptron still corrects one
            pattern at a time.
        shuffle: present the patterns in a new order every epoch (from ``seed`` and the epoch).
    """

    def __init__(
        self,
        task: Literal["separable", "xor"] = "separable",
        n: int = 500,
        dim: int = 10,
        margin: float = 0.05,
        seed: int = 0,
        batch_size: int = 0,
        shuffle: bool = True,
    ) -> None:
        super().__init__()
        if task not in ("separable", "xor"):
            raise ValueError(f"task={task!r}; valid: separable, xor")
        if n < 1 or dim < 1 or margin < 0 or batch_size < 0:
            raise ValueError(f"n={n}, dim={dim}, margin={margin}, batch_size={batch_size}: need n, dim >= 1, margin, batch_size >= 0")
        self.save_hyperparameters()
        self.separator: tuple[Tensor, float] | None = None
        if task == "separable":
            x, y, u, c = separable_set(n, dim, margin, seed)
            self.separator = (u, c)
        else:
            x, y = xor_set()
        self.train_set = (x, y)

    num_classes = 2

    @property
    def inputs(self) -> int:
        return self.train_set[0].shape[1]

    def _batches(self, **kw) -> TensorBatches:
        n = len(self.train_set[0])
        return TensorBatches(self.train_set, self.hparams.batch_size or n, **shard(self.trainer), **kw)

    def train_dataloader(self) -> TensorBatches:
        batches = self._batches(shuffle=self.hparams.shuffle, seed=self.hparams.seed)
        batches.epoch = self.trainer.current_epoch if self.trainer is not None else 0
        return batches

    def val_dataloader(self) -> TensorBatches:
        return self._batches()

    def test_dataloader(self) -> TensorBatches:
        return self._batches()

    def predict_dataloader(self) -> TensorBatches:
        return self._batches()
