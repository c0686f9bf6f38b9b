"""MNIST shrunk to the 1989 zip-code format: 7,291 training and 2,007 test digits, 16x16, in [-1, 1].

karpathy/lecun1989-repro (``prepro.py``) stands in for the paper's USPS data this way: draw
7,291 images at random (without replacement) from MNIST's 60,000 training images and 2,007 from
its 10,000 test images, scale the 28x28 grey values to [-1, 1] (``x / 127.5 - 1``), and resize
to 16x16 with bilinear interpolation (``F.interpolate(..., mode="bilinear")``, no corner
alignment). We follow that recipe from the original IDX files, with one numpy generator seeded
by ``seed`` drawing the training permutation first, then the test one. The repro draws from
numpy's global generator seeded with 1337, but iterates the splits over a Python ``set``, whose
order depends on string hashing, so its draw order (and thus its exact samples) varies between
runs; with ``seed=1337`` we get its samples when ``train`` came first.

Both sets draw ink as +1 on a -1 background. Unlike the USPS images, MNIST digits are not
deslanted and sit (size-normalised to a 20x20 box, centred by mass) inside a 28x28 frame, so
after resizing they fill about 11 of the 16 pixels.

Validation is the test set, as for USPS (see ``landmark.datamodules.usps``).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from landmark.data import DataFile, find_files
from landmark.datamodules.usps import InMemoryDigits

__all__ = ["MNIST16", "FILES", "read_idx", "shrink"]

FILES = {
    "train_images": DataFile(
        "train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9912422
    ),
    "train_labels": DataFile(
        "train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28881
    ),
    "test_images": DataFile(
        "t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1648877
    ),
    "test_labels": DataFile(
        "t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4542
    ),
}
# No distribution packages MNIST's IDX files in a fixed place, so there are no system folders.
SYSTEM_DIRS: tuple[str, ...] = ()


def read_idx(path: str | Path) -> np.ndarray:
    """A gzipped IDX file (MNIST's format: big-endian header, then uint8 payload) -> uint8 array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic >> 8 != 0x08:  # 0x08 = unsigned byte payload
        raise ValueError(f"{path}: not a uint8 IDX file (magic {magic:#010x})")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def shrink(images: np.ndarray) -> Tensor:
    """uint8 (N, 28, 28) -> float32 (N, 1, 16, 16) in [-1, 1], as the repro's prepro.py."""
    x = torch.from_numpy(images.astype(np.float32)) / 127.5 - 1.0
    return F.interpolate(x[:, None], size=(16, 16), mode="bilinear")


class MNIST16(InMemoryDigits):
    """MNIST reduced to the 1989 zip-code format (karpathy/lecun1989-repro), held in memory.

    Args:
        data_dir: folder holding the four MNIST ``*-ubyte.gz`` files (checked by sha256); if
            unset, the cache (``$LANDMARK_DATA_DIR/mnist``, else ``~/.cache/landmark/mnist``).
        batch_size: training samples per step (per-sample models update inside a step).
        eval_batch_size: samples per validation/test/predict batch.
        shuffle: reshuffle the training set every epoch; the paper and repro do not.
        seed: the seed of the sample draw (and of the shuffling); 1337 as the repro.
        n_train: training images drawn from MNIST's 60,000 (the paper's 7,291).
        n_test: test images drawn from MNIST's 10,000 (the paper's 2,007).
        eval_train: validate on the training set too, as a second loader.
    """

    def __init__(
        self,
        data_dir: str | None = None,
        batch_size: int = 256,
        eval_batch_size: int = 8192,
        shuffle: bool = False,
        seed: int = 1337,
        n_train: int = 7291,
        n_test: int = 2007,
        eval_train: bool = True,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.train_set: tuple[Tensor, Tensor] | None = None
        self.test_set: tuple[Tensor, Tensor] | None = None

    def prepare_data(self) -> None:
        find_files("mnist", list(FILES.values()), self.hparams.data_dir, SYSTEM_DIRS)

    def setup(self, stage: str | None = None) -> None:
        if self.train_set is not None:
            return
        found = find_files("mnist", list(FILES.values()), self.hparams.data_dir, SYSTEM_DIRS)
        paths = {key: found[f.name] for key, f in FILES.items()}
        rng = np.random.RandomState(self.hparams.seed)
        sets = []
        for split, n in (("train", self.hparams.n_train), ("test", self.hparams.n_test)):
            images, labels = read_idx(paths[f"{split}_images"]), read_idx(paths[f"{split}_labels"])
            if not 0 < n <= len(images):
                raise ValueError(f"n_{split}={n}: must be between 1 and {len(images)} (MNIST's {split} set)")
            pick = rng.permutation(len(images))[:n]
            sets.append((shrink(images[pick]), torch.from_numpy(labels[pick].astype(np.int64))))
        self.train_set, self.test_set = sets
