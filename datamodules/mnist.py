"""MNIST and Fashion-MNIST from their IDX files: 60,000 training and 10,000 test images, 28x28.

MNIST: LeCun, Bottou, Bengio & Haffner, "Gradient-based learning applied to document
recognition", Proc. IEEE 86(11), 1998. Fashion-MNIST: Xiao, Rasul & Vollgraf, "Fashion-MNIST:
a novel image dataset for benchmarking machine learning algorithms", arXiv:1708.07747, 2017
(same format and split sizes; ten kinds of clothing instead of digits).

The files are the four gzipped IDX files (a big-endian header giving the type and the
dimensions, then the raw uint8 payload), parsed here with numpy. Images are held in memory as
uint8 ``(N, 1, H, W)`` tensors (ink high, background 0) and served by
``landmark.data.TensorBatches``; each batch is converted to float and normalised as it is
served, so the stored set stays small (47 MB for 60k 28x28 images) and, with ``on_device``, it
lives on the GPU and is normalised there.

Normalisation (``normalize``):
- ``"lenet5"``: LeCun et al. (1998) §II-A: "the background level (white) corresponds to a
  value of -0.1 and the foreground (black) corresponds to 1.175. This makes the mean input
  roughly 0, and the variance roughly 1". Linear in the grey level: ``x / 255 * 1.275 - 0.1``.
  LeNet-5's input is 32x32 (§II-B: the 28x28 digits centred in a larger field, so that
  stroke end-points reach the centre of the receptive fields), so its configs also set
  ``pad: 2``, and the padding takes the background value -0.1.
- ``"standard"``: ``(x / 255 - mean) / std`` with the mean and std of the training split as
  loaded (after resizing and padding); for MNIST's full 60k at 28x28 that is the familiar
  0.1307 / 0.3081, for Fashion-MNIST 0.2860 / 0.3530.
- ``"unit"``: ``x / 255`` in [0, 1]. ``"symmetric"``: ``x / 127.5 - 1`` in [-1, 1] (the 1989
  zip-code format). ``"none"``: the grey levels 0..255 as float.

Geometry: ``resize`` (bilinear, antialiased, back to uint8) first, then ``pad`` pixels of
background on every side: ``resize: 0, pad: 2`` gives LeNet-5's 32x32, ``resize: 32`` a
28->32 rescale, ``resize: 224`` AlexNet-sized inputs.

Splits: **test** is the official 10,000-image test set. **Validation** is ``val_size`` images
drawn at random (from ``seed``, ``torch.randperm``) out of the 60,000 training images and
removed from training; ``val_size: 0`` trains on all 60,000 and validates on the test set,
which is what the 1998 paper reports (test error after each pass, no held-out set).
``train_size`` keeps only that many of the remaining training images (the next ones in the
same permutation): a data-size sweep (ViT vs ResNet on 1k, 5k, 60k images) takes nested
subsets.

Fashion-MNIST is found as its upstream gzip files (zalandoresearch; the dataset
``fashion-mnist``, downloadable) or as Debian's ``dataset-fashion-mnist`` package in
``/usr/share/datasets/fashion-mnist``, whose files hold the same IDX data but were
recompressed (so their sha256 differ; registered as the dataset ``fashion-mnist-debian``).
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Literal

import lightning.pytorch as L
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from landmark.data import DataFile, DataNotFound, TensorBatches, seeded_split, shard
from landmark.datasets import Dataset
from landmark.datamodules._vision import MappedBatches, channel_stats, training_device

__all__ = ["MNIST", "FashionMNIST", "read_idx", "DATASETS", "MNIST_DATASET", "FASHION_MNIST_DATASETS"]

Normalize = Literal["lenet5", "standard", "unit", "symmetric", "none"]

_NAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

MNIST_DATASET = Dataset(
    name="mnist",
    files=(
        DataFile(_NAMES[0], "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9912422,
                 "https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz"),
        DataFile(_NAMES[1], "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28881,
                 "https://ossci-datasets.s3.amazonaws.com/mnist/train-labels-idx1-ubyte.gz"),
        DataFile(_NAMES[2], "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1648877,
                 "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-images-idx3-ubyte.gz"),
        DataFile(_NAMES[3], "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4542,
                 "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz"),
    ),
    title="MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28 grey, 10 classes",
    source="http://yann.lecun.com/exdb/mnist/ (LeCun, Cortes & Burges); files as torchvision's mirror",
    license="not stated by the source; catalogues (TFDS, Hugging Face) list CC BY-SA 3.0",
    citation='Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, "Gradient-based learning applied to document '
    'recognition", Proc. IEEE 86(11):2278-2324, 1998',
    size="11.6 MB (4 files)",
)

_FASHION = dict(
    title="Fashion-MNIST: 60,000 training and 10,000 test images of clothing, 28x28 grey, 10 classes",
    source="https://github.com/zalandoresearch/fashion-mnist",
    license="MIT (Copyright 2017 Zalando SE)",
    citation='H. Xiao, K. Rasul, R. Vollgraf, "Fashion-MNIST: a novel image dataset for benchmarking machine '
    'learning algorithms", arXiv:1708.07747, 2017',
    size="30.8 MB (4 files)",
)
_FASHION_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
FASHION_MNIST_DATASETS = (
    # The upstream files (torchvision's md5s 8d4fb7e6..., 25c81989..., bef4ecab..., bb300cfd...).
    Dataset(
        name="fashion-mnist",
        files=(
            DataFile(_NAMES[0], "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", 26421880, _FASHION_URL + _NAMES[0]),
            DataFile(_NAMES[1], "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", 29515, _FASHION_URL + _NAMES[1]),
            DataFile(_NAMES[2], "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", 4422102, _FASHION_URL + _NAMES[2]),
            DataFile(_NAMES[3], "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", 5148, _FASHION_URL + _NAMES[3]),
        ),
        **_FASHION,
    ),
    # Debian's package (0.0~git20200523.55506a9-1): the same IDX payload, gzip headers rewritten.
    Dataset(
        name="fashion-mnist-debian",
        files=(
            DataFile(_NAMES[0], "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7", 26421856),
            DataFile(_NAMES[1], "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056", 29491),
            DataFile(_NAMES[2], "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa", 4422079),
            DataFile(_NAMES[3], "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05", 5125),
        ),
        system_dirs=("/usr/share/datasets/fashion-mnist",),
        extra={"debian_package": "dataset-fashion-mnist"},
        **{**_FASHION, "title": _FASHION["title"] + " (Debian's dataset-fashion-mnist package)"},
    ),
)
DATASETS = (MNIST_DATASET, *FASHION_MNIST_DATASETS)


# --- the IDX format -----------------------------------------------------------------------------

_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_parsed: dict[tuple[str, int, int], np.ndarray] = {}  # decompressing 60k images takes ~0.3 s; once per process


def read_idx(path: str | Path) -> np.ndarray:
    """An IDX file (gzipped or not) -> its array: magic ``00 00 TT NN`` (type, number of
    dimensions), NN big-endian int32 sizes, then the payload in row-major order."""
    path = Path(path)
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key in _parsed:
        return _parsed[key]
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise ValueError(f"{path}: not an IDX file (starts with {data[:4].hex()})")
    ndim = data[3]
    dims = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_TYPES[data[2]])
    offset = 4 + 4 * ndim
    if len(data) - offset != int(np.prod(dims)) * dtype.itemsize:
        raise ValueError(f"{path}: IDX header says {dims} of {dtype}, but the payload has {len(data) - offset} bytes")
    _parsed[key] = np.frombuffer(data, dtype=dtype, offset=offset).reshape(dims)
    return _parsed[key]


def _geometry(images: Tensor, resize: int, pad: int) -> Tensor:
    """uint8 ``(N, 1, H, W)``: bilinear resize to ``resize`` (0: keep), then ``pad`` zeros a side."""
    if resize and resize != images.shape[-1]:
        out = torch.empty(len(images), 1, resize, resize, dtype=torch.uint8)
        for i in range(0, len(images), 4096):  # in chunks: 60k float images at 224 would be 12 GB
            chunk = F.interpolate(images[i : i + 4096].float(), size=(resize, resize), mode="bilinear", antialias=True)
            out[i : i + 4096] = chunk.round_().clamp_(0, 255).to(torch.uint8)
        images = out
    if pad:
        images = F.pad(images, (pad, pad, pad, pad), value=0)
    return images


# --- the DataModules ----------------------------------------------------------------------------


class _IDXImages(L.LightningDataModule):
    """Shared body of MNIST and Fashion-MNIST (see the module docstring)."""

    datasets: tuple[Dataset, ...] = ()
    classes: tuple[str, ...] = ()

    def __init__(
        self,
        data_dir: str | None = None,
        batch_size: int = 128,
        eval_batch_size: int = 1000,
        val_size: int = 5000,
        train_size: int = 0,
        seed: int = 0,
        shuffle: bool = True,
        drop_last: bool = False,
        normalize: Normalize = "standard",
        resize: int = 0,
        pad: int = 0,
        eval_train: bool = False,
        on_device: bool = True,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        if resize < 0 or pad < 0:
            raise ValueError(f"resize={resize}, pad={pad}: both must be >= 0")
        if train_size < 0:
            raise ValueError(f"train_size={train_size}: must be >= 0 (0 keeps every training image)")
        self.train_set: tuple[Tensor, Tensor] | None = None
        self.val_set: tuple[Tensor, Tensor] | None = None
        self.test_set: tuple[Tensor, Tensor] | None = None
        self.mean: list[float] = [0.0]
        self.std: list[float] = [1.0]

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        side = (self.hparams.resize or 28) + 2 * self.hparams.pad
        return (1, side, side)

    def locate(self) -> dict[str, Path]:
        """The verified files, from the first of this dataset's declarations that is found."""
        errors = []
        for ds in self.datasets:
            try:
                return ds.locate(self.hparams.data_dir)
            except DataNotFound as e:
                errors.append(str(e))
        raise DataNotFound("\n\n".join(errors))

    def prepare_data(self) -> None:
        self.locate()  # fail early, naming the files and where they may be

    def setup(self, stage: str | None = None) -> None:
        if self.train_set is not None:
            return
        hp = self.hparams
        paths = self.locate()
        sets = []
        for prefix in ("train", "t10k"):
            images = read_idx(paths[f"{prefix}-images-idx3-ubyte.gz"])
            labels = read_idx(paths[f"{prefix}-labels-idx1-ubyte.gz"])
            if images.ndim != 3 or labels.shape != images.shape[:1]:
                raise ValueError(f"{self.datasets[0].name} {prefix}: images {images.shape} and labels {labels.shape} do not match")
            x = _geometry(torch.from_numpy(images.copy())[:, None], hp.resize, hp.pad)  # (N, 1, H, W) uint8
            sets.append((x, torch.from_numpy(labels.astype(np.int64))))
        (train_x, train_y), self.test_set = sets
        train_idx, val_idx = seeded_split(len(train_x), hp.val_size, hp.seed, train_size=hp.train_size)
        self.train_set = (train_x[train_idx], train_y[train_idx])
        self.val_set = (train_x[val_idx], train_y[val_idx]) if hp.val_size else self.test_set
        if hp.normalize == "standard":
            self.mean, self.std = channel_stats(self.train_set[0])

    # --- serving ---

    def transform(self, batch: tuple[Tensor, Tensor], g: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
        """uint8 images -> float32, normalised as ``normalize`` says (one multiply-add); labels
        unchanged."""
        x, y = batch
        mode = self.hparams.normalize
        if mode == "lenet5":
            scale, shift = 1.275 / 255, -0.1
        elif mode == "standard":
            scale, shift = 1 / (255 * self.std[0]), -self.mean[0] / self.std[0]
        elif mode == "unit":
            scale, shift = 1 / 255, 0.0
        elif mode == "symmetric":
            scale, shift = 1 / 127.5, -1.0
        elif mode == "none":
            scale, shift = 1.0, 0.0
        else:
            raise ValueError(f"normalize={mode!r}: expected one of lenet5, standard, unit, symmetric, none")
        x = x.float().mul_(scale)
        return (x.add_(shift) if shift else x), y  # adding 0.0 is a whole extra pass for nothing

    def _device_sets(self) -> None:
        device = training_device(self.trainer) if self.hparams.on_device else None
        if device is not None and self.train_set[0].device != device:
            moved: dict[int, tuple[Tensor, Tensor]] = {}  # val_set may be test_set: move it once
            for name in ("train_set", "val_set", "test_set"):
                tensors = getattr(self, name)
                if id(tensors) not in moved:
                    moved[id(tensors)] = tuple(t.to(device) for t in tensors)
                setattr(self, name, moved[id(tensors)])

    def _batches(self, split: str, batch_size: int, **kw) -> MappedBatches:
        self._device_sets()  # first: it may replace the split's tensors by copies on the GPU
        return MappedBatches(TensorBatches(getattr(self, split), batch_size, **shard(self.trainer), **kw), self.transform)

    def train_dataloader(self) -> MappedBatches:
        assert self.train_set is not None, "call setup() first"
        hp = self.hparams
        batches = self._batches("train_set", hp.batch_size, shuffle=hp.shuffle, seed=hp.seed, drop_last=hp.drop_last)
        # Lightning saves and restores the position; the epoch follows the trainer so a
        # reloaded loader keeps the per-epoch shuffle order.
        batches.epoch = self.trainer.current_epoch if self.trainer is not None else 0
        return batches

    def val_dataloader(self) -> MappedBatches | list[MappedBatches]:
        assert self.val_set is not None, "call setup() first"
        val = self._batches("val_set", self.hparams.eval_batch_size)
        if not self.hparams.eval_train:
            return val
        return [val, self._batches("train_set", self.hparams.eval_batch_size)]

    def test_dataloader(self) -> MappedBatches:
        assert self.test_set is not None, "call setup() first"
        return self._batches("test_set", self.hparams.eval_batch_size)

    def predict_dataloader(self) -> MappedBatches:
        return self.test_dataloader()


class MNIST(_IDXImages):
    """MNIST digits, held in memory as uint8 and normalised per batch.

    Args:
        data_dir: folder holding the four ``*-ubyte.gz`` files (checked by sha256); if unset,
            the cache (``$LANDMARK_DATA_DIR/mnist``, else ``~/.cache/landmark/mnist``).
        batch_size: training images per step.
        eval_batch_size: images per validation/test/predict batch.
        val_size: training images held out for validation (seeded); 0 validates on the test
            set, as the 1998 paper reports test error after each pass.
        train_size: keep only this many training images (a seeded subset); 0 keeps all.
        seed: seed of the validation split, the subset and the per-epoch shuffling.
        shuffle: reshuffle the training images every epoch (from ``seed`` and the epoch).
        drop_last: drop the last, smaller training batch.
        normalize: ``lenet5`` (background -0.1, ink 1.175, LeCun et al. 1998), ``standard``
            (the training split's mean/std), ``unit`` ([0, 1]), ``symmetric`` ([-1, 1]),
            ``none`` (0..255).
        resize: bilinear resize to this square side first (0 keeps 28).
        pad: background pixels added on every side after resizing (LeNet-5: 2, for 32x32).
        eval_train: validate on the training set too, as a second loader (training error per
            pass, as the paper's learning curves).
        on_device: hold the dataset on the accelerator when training on one (47 MB for MNIST),
            so batches are gathered and normalised there.
    """

    datasets = (MNIST_DATASET,)
    classes = tuple(str(d) for d in range(10))


class FashionMNIST(_IDXImages):
    """Fashion-MNIST (Xiao et al. 2017), held in memory as uint8 and normalised per batch.

    Args:
        data_dir: folder holding the four ``*-ubyte.gz`` files (checked by sha256, upstream's
            or Debian's); if unset, the cache (``$LANDMARK_DATA_DIR/fashion-mnist``), then
            Debian's ``/usr/share/datasets/fashion-mnist`` (``apt install dataset-fashion-mnist``).
        batch_size: training images per step.
        eval_batch_size: images per validation/test/predict batch.
        val_size: training images held out for validation (seeded); 0 validates on the test set.
        train_size: keep only this many training images (a seeded subset); 0 keeps all.
        seed: seed of the validation split, the subset and the per-epoch shuffling.
        shuffle: reshuffle the training images every epoch (from ``seed`` and the epoch).
        drop_last: drop the last, smaller training batch.
        normalize: ``lenet5`` (background -0.1, ink 1.175), ``standard`` (the training split's
            mean/std), ``unit`` ([0, 1]), ``symmetric`` ([-1, 1]), ``none`` (0..255).
        resize: bilinear resize to this square side first (0 keeps 28).
        pad: background pixels added on every side after resizing.
        eval_train: validate on the training set too, as a second loader.
        on_device: hold the dataset on the accelerator when training on one.
    """

    datasets = FASHION_MNIST_DATASETS
    classes = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
