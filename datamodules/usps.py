"""USPS handwritten zip-code digits: 7,291 training and 2,007 test images, 16x16, in [-1, 1].

J. J. Hull, "A database for handwritten text recognition research", IEEE TPAMI 16(5), 1994;
the copy distributed with Hastie, Tibshirani & Friedman, *The Elements of Statistical Learning*
(``zip.train.gz``/``zip.test.gz``). Its ``zip.info.txt`` says the images were deslanted and
size-normalised to 16x16 grey levels (citing Le Cun et al. 1990) and came from the neural
network group at AT&T; the split sizes are those of LeCun et al. (1989).

Each line of the files is the label, then the 256 grey values of a 16x16 image in row-major
order, already scaled to [-1, 1] (-1 is background). The whole set lives in memory as tensors
and is served by ``landmark.data.TensorBatches``: images ``(B, 1, 16, 16)`` float32 and labels
``(B,)`` int64.

Validation is the **test set**: LeCun et al. (1989) report training and test error after
every pass and describe no separate validation split, so we carve none. With
``eval_train=True`` (the default) validation also runs over the training set as a second
loader, so a model can log the paper's training error after each pass.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import lightning.pytorch as L
import numpy as np
import torch
from torch import Tensor

from landmark.data import DataFile, TensorBatches, shard
from landmark.datasets import Dataset

__all__ = ["USPS", "DATASET", "FILES", "load_usps"]

FILES = {
    "train": DataFile("zip.train.gz", "66ebf231ab51f2cf6ac1a892d0f98ccffee1079d7a5db638c1f11f366046ca16", 1829071),
    "test": DataFile("zip.test.gz", "8dacc3c6e136af6c3488de9e5113a7daf140c8c2f1f0b61c54ee02f03f1a962f", 439208),
}

DATASET = Dataset(
    name="usps",
    files=(FILES["train"], FILES["test"]),
    title="USPS zip-code digits: 7,291 training and 2,007 test images, 16x16 grey in [-1, 1], 10 classes",
    source="The Elements of Statistical Learning data sets (zip.train.gz, zip.test.gz); "
    "copy from github.com/robintux/Datasets4StackOverFlowQuestions @57a571f",
    license="no license stated by the source",
    citation='J. J. Hull, "A database for handwritten text recognition research", IEEE TPAMI 16(5):550-554, 1994',
)


_parsed: dict[tuple[str, int, int], np.ndarray] = {}  # parsing the text takes ~0.5 s; do it once per process


def load_usps(path: str | Path) -> tuple[Tensor, Tensor]:
    """One ``zip.*.gz`` file -> images (N, 1, 16, 16) float32 in [-1, 1], labels (N,) int64."""
    path = Path(path)
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _parsed:
        with gzip.open(path, "rb") as f:
            _parsed[key] = np.array(f.read().split(), dtype=np.float32).reshape(-1, 257)
    values = _parsed[key]
    images = torch.tensor(values[:, 1:]).reshape(-1, 1, 16, 16)  # a copy: callers may write to it
    labels = torch.from_numpy(values[:, 0].astype(np.int64))
    return images, labels


class InMemoryDigits(L.LightningDataModule):
    """Loaders shared by the 16x16 digit sets: ``train_set``/``test_set`` tensors served by
    ``TensorBatches``; validation is the test set (plus the training set as a second loader
    when ``eval_train``), each DDP rank taking its shard. Subclasses fill the two sets in
    ``setup`` and have ``batch_size``, ``eval_batch_size``, ``shuffle``, ``seed`` and
    ``eval_train`` among their hyperparameters."""

    train_set: tuple[Tensor, Tensor] | None = None
    test_set: tuple[Tensor, Tensor] | None = None

    def _batches(self, tensors: tuple[Tensor, Tensor], batch_size: int, **kw) -> TensorBatches:
        return TensorBatches(tensors, batch_size, **shard(self.trainer), **kw)

    def train_dataloader(self) -> TensorBatches:
        assert self.train_set is not None, "call setup() first"
        hp = self.hparams
        batches = self._batches(self.train_set, hp.batch_size, shuffle=hp.shuffle, seed=hp.seed)
        # Lightning saves and restores the position (TensorBatches.state_dict); the epoch also
        # follows the trainer so a reloaded loader keeps the per-epoch shuffle order.
        batches.epoch = self.trainer.current_epoch if self.trainer is not None else 0
        return batches

    def val_dataloader(self) -> TensorBatches | list[TensorBatches]:
        assert self.test_set is not None, "call setup() first"
        test = self._batches(self.test_set, self.hparams.eval_batch_size)
        if not self.hparams.eval_train:
            return test
        return [test, self._batches(self.train_set, self.hparams.eval_batch_size)]

    def test_dataloader(self) -> TensorBatches:
        assert self.test_set is not None, "call setup() first"
        return self._batches(self.test_set, self.hparams.eval_batch_size)

    def predict_dataloader(self) -> TensorBatches:
        return self.test_dataloader()


class USPS(InMemoryDigits):
    """USPS zip-code digits (the LeCun et al. 1989 split), held in memory.

    Args:
        data_dir: folder holding ``zip.train.gz`` and ``zip.test.gz`` (checked by sha256); if
            unset, the cache (``$LANDMARK_DATA_DIR/usps``, else ``~/.cache/landmark/usps``).
        batch_size: training samples per step. Models that update per sample (lenet1989) make
            one update per sample inside a step, so this only sets how often Lightning's
            per-step work (logging, callbacks) runs.
        eval_batch_size: samples per validation/test/predict batch.
        shuffle: reshuffle the training set every epoch (from ``seed`` and the epoch). The
            paper presents the training patterns in a fixed order, hence False.
        seed: the shuffling seed.
        eval_train: validate on the training set too, as a second loader.
    """

    def __init__(
        self,
        data_dir: str | None = None,
        batch_size: int = 256,
        eval_batch_size: int = 8192,
        shuffle: bool = False,
        seed: int = 0,
        eval_train: bool = True,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.train_set: tuple[Tensor, Tensor] | None = None
        self.test_set: tuple[Tensor, Tensor] | None = None

    def prepare_data(self) -> None:
        DATASET.locate(self.hparams.data_dir)  # fail early, naming the files and where to put them

    def setup(self, stage: str | None = None) -> None:
        if self.train_set is None:
            paths = DATASET.locate(self.hparams.data_dir)
            self.train_set = load_usps(paths[FILES["train"].name])
            self.test_set = load_usps(paths[FILES["test"].name])

