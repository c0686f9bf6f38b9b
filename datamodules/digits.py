"""scikit-learn's 8x8 handwritten digits, held in memory: 1,797 images, 64 grey levels 0..16.

The data are the test part of the UCI "Optical Recognition of Handwritten Digits" set (Alpaydin &
Kaynak, 1995): 32x32 bitmaps of digits by 43 writers, counted in non-overlapping 4x4 blocks, so
each of the 64 inputs is an integer 0..16. They ship inside scikit-learn
(``sklearn.datasets.load_digits()``), so there is nothing to fetch, stage or verify; the
declaration below says so (``landmark data list`` shows it without files).

Splits: ``val_size: 0`` (the default) trains on all 1,797 images and validates on the same
images, which measures what a training accuracy measures (the 0.939 of scikit-learn's
``Perceptron`` example is one). ``val_size > 0`` holds out that many images, drawn from
``seed``; ``test_size`` more may be held out for ``landmark test`` (else the validation set is
the test set). ``eval_train`` adds the training set as a second validation loader.
"""

from __future__ import annotations

from typing import Literal

import lightning.pytorch as L
import numpy as np
import torch
from torch import Tensor

from landmark.data import TensorBatches, seeded_split, shard
from landmark.datasets import Dataset

__all__ = ["Digits", "DATASETS", "load_digits"]

DATASETS = [
    Dataset(
        name="sklearn-digits",
        generated=True,  # nothing to fetch: the data ship inside the scikit-learn package
        title="8x8 handwritten digits, 1,797 images, 64 grey levels 0..16, 10 classes "
        "(bundled with scikit-learn; no files to fetch)",
        source="scikit-learn's sklearn.datasets.load_digits(), a copy of the test set of UCI 'Optical Recognition "
        "of Handwritten Digits' (https://archive.ics.uci.edu/dataset/80)",
        license="CC BY 4.0 (UCI); distributed with scikit-learn (BSD-3-Clause)",
        citation="E. Alpaydin, C. Kaynak, 'Optical Recognition of Handwritten Digits', UCI Machine Learning "
        "Repository, 1995",
        size="bundled with scikit-learn: 1,797 images of 8x8",
    )
]


def load_digits() -> tuple[Tensor, Tensor]:
    """All 1,797 digits as float32 (1797, 64) grey levels 0..16 and int64 (1797,) labels."""
    from sklearn.datasets import load_digits as sk_load  # scikit-learn is only needed for this data

    x, y = sk_load(return_X_y=True)
    return torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y.astype(np.int64))


class Digits(L.LightningDataModule):
    """scikit-learn's 8x8 digits as a LightningDataModule (the whole set in memory).

    Args:
        batch_size: training images per step (a perceptron still corrects one image at a time).
        eval_batch_size: images per validation/test/predict batch.
        val_size: images held out for validation, drawn from ``seed``; 0 validates on the
            training set (a training accuracy).
        test_size: images held out for testing after ``val_size``; 0 tests on the validation set.
        seed: seed of the split and of the per-epoch shuffle.
        shuffle: reshuffle the training images every epoch (from ``seed`` and the epoch).
        normalize: ``none`` keeps the grey levels 0..16 (as scikit-learn serves them);
            ``unit`` divides by 16.
        eval_train: also validate on the training set, as a second loader (``train_*`` metrics).
    """

    def __init__(
        self,
        batch_size: int = 1797,
        eval_batch_size: int = 1797,
        val_size: int = 0,
        test_size: int = 0,
        seed: int = 0,
        shuffle: bool = True,
        normalize: Literal["none", "unit"] = "none",
        eval_train: bool = False,
    ) -> None:
        super().__init__()
        if normalize not in ("none", "unit"):
            raise ValueError(f"normalize={normalize!r}; valid: none, unit")
        if test_size < 0 or val_size < 0 or val_size + test_size >= 1797:
            raise ValueError(f"val_size={val_size}, test_size={test_size}: both >= 0, together fewer than 1,797")
        self.save_hyperparameters()
        self.train_set: tuple[Tensor, Tensor] | None = None
        self.val_set: tuple[Tensor, Tensor] | None = None
        self.test_set: tuple[Tensor, Tensor] | None = None

    num_classes = 10
    inputs = 64

    def setup(self, stage: str | None = None) -> None:
        if self.train_set is not None:
            return
        hp = self.hparams
        x, y = load_digits()
        if hp.normalize == "unit":
            x = x / 16
        held = hp.val_size + hp.test_size
        train_idx, held_idx = seeded_split(len(x), held, hp.seed, what="digits set")
        self.train_set = (x[train_idx], y[train_idx])
        val_idx, test_idx = held_idx[: hp.val_size], held_idx[hp.val_size :]
        self.val_set = (x[val_idx], y[val_idx]) if hp.val_size else self.train_set
        self.test_set = (x[test_idx], y[test_idx]) if hp.test_size else self.val_set

    def _batches(self, tensors: tuple[Tensor, Tensor], batch_size: int, **kw) -> TensorBatches:
        return TensorBatches(tensors, batch_size, **shard(self.trainer), **kw)

    def train_dataloader(self) -> TensorBatches:
        hp = self.hparams
        batches = self._batches(self.train_set, hp.batch_size, shuffle=hp.shuffle, seed=hp.seed)
        batches.epoch = self.trainer.current_epoch if self.trainer is not None else 0
        return batches

    def val_dataloader(self) -> TensorBatches | list[TensorBatches]:
        val = self._batches(self.val_set, self.hparams.eval_batch_size)
        return [val, self._batches(self.train_set, self.hparams.eval_batch_size)] if self.hparams.eval_train else val

    def test_dataloader(self) -> TensorBatches:
        return self._batches(self.test_set, self.hparams.eval_batch_size)

    def predict_dataloader(self) -> TensorBatches:
        return self.test_dataloader()
