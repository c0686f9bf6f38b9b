"""CIFAR-10: 50,000 training and 10,000 test colour images, 32x32, 10 classes.

A. Krizhevsky, "Learning multiple layers of features from tiny images", tech. report, University
of Toronto, 2009. Read from the official "python version": the archive
``cifar-10-python.tar.gz`` (read in place, nothing extracted) or its extracted folder
``cifar-10-batches-py/`` holding ``data_batch_1`` .. ``data_batch_5``, ``test_batch`` and
``batches.meta``. Each batch is a pickled dict: ``b"data"``, a uint8 array ``(10000, 3072)``
of rows holding the red, green, then blue 32x32 planes; ``b"labels"``, 10,000 ints in 0..9.

The pickles are read by an unpickler that only lets numpy rebuild arrays (any other global in
the stream is refused), so a crafted file cannot run code.

Checks (``verify``): with ``verify: true`` (the default) the archive must match its sha256
(``landmark data fetch cifar10`` downloads it) and an extracted folder must match the md5 of
each batch file that torchvision checks. With ``verify: false`` any files in CIFAR's batch
format are accepted after a format check (a dict with ``data`` ``(n, 3072)`` uint8 and ``n``
labels in 0..9): for a subset, a re-packed copy, or the small sets tests write.

Splits: **test** is the official ``test_batch``; **validation** is ``val_size`` training images
drawn from ``seed``; ``val_size: 0`` trains on all 50,000 and validates on the test set (He et
al. 2015 chose their schedule on a 45k/5k split, then report test error after training on 50k).

Augmentation (training batches only), as He et al. (2015) §4.2 after Lee et al. (2015): "4
pixels are padded on each side, and a 32x32 crop is randomly sampled from the padded image or
its horizontal flip". The padding is black (0), before normalisation, as torchvision's
``RandomCrop(32, padding=4)`` that public reproductions use. Done on whole batches.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import tarfile
from pathlib import Path
from typing import Literal

import lightning.pytorch as L
import numpy as np
import torch
from torch import Tensor

from landmark.data import DataFile, DataNotFound, TensorBatches, seeded_split, shard
from landmark.datasets import Dataset
from landmark.datamodules._vision import (
    MappedBatches,
    channel_stats,
    hflip,
    random_crop,
    training_device,
)

__all__ = ["CIFAR10", "DATASET", "read_batch", "load_cifar10", "TRAIN_BATCHES", "TEST_BATCH"]

ARCHIVE = "cifar-10-python.tar.gz"
FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"
# md5 of the extracted files, as torchvision's CIFAR10.train_list / test_list / meta.
MD5 = {
    "data_batch_1": "c99cafc152244af753f735de768cd75f",
    "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
    "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
    "data_batch_4": "634d18415352ddfa80567beed471001a",
    "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
    "test_batch": "40351d587109b95175f43aff81a1287e",
    "batches.meta": "5ff9c542aee3614f3951f8cda6e48888",
}
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")

DATASET = Dataset(
    name="cifar10",
    files=(
        DataFile(
            ARCHIVE,
            "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",  # md5 c58f30108f718f92721af3b95e74349a
            170498071,
            "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
        ),
    ),
    title="CIFAR-10: 50,000 training and 10,000 test colour images, 32x32, 10 classes",
    source="https://www.cs.toronto.edu/~kriz/cifar.html",
    license="no license stated; free to use with a citation of the tech report, as its page asks",
    citation='A. Krizhevsky, "Learning multiple layers of features from tiny images", tech. report, '
    "University of Toronto, 2009",
    size="170.5 MB archive (178 MB extracted)",
    extra={"extracted_md5": MD5},
)


# --- reading the batch files --------------------------------------------------------------------


class _NumpyOnly(pickle.Unpickler):
    """Unpickles plain containers and numpy arrays, nothing else."""

    ALLOWED = {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy._core.numeric", "_frombuffer"),
        ("_codecs", "encode"),  # how protocol 2 writes bytes from Python 3: str -> bytes, harmless
    }

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}: a CIFAR batch holds only numpy arrays")
        return super().find_class(module, name)


def read_batch(data: bytes, what: str = "batch") -> tuple[np.ndarray, np.ndarray]:
    """The bytes of one CIFAR batch file -> images uint8 ``(n, 3, 32, 32)``, labels int64 ``(n,)``."""
    try:
        d = _NumpyOnly(io.BytesIO(data), encoding="bytes").load()
    except Exception as e:
        raise ValueError(f"{what}: not a CIFAR-10 python batch ({e})") from e
    if not isinstance(d, dict):
        raise ValueError(f"{what}: not a CIFAR-10 python batch (a {type(d).__name__}, expected a dict)")
    d = {k.decode() if isinstance(k, bytes) else k: v for k, v in d.items()}
    if "data" not in d or "labels" not in d:
        raise ValueError(f"{what}: a CIFAR-10 batch has keys 'data' and 'labels'; found {sorted(d)}")
    images, labels = np.asarray(d["data"]), np.asarray(d["labels"])
    if images.dtype != np.uint8 or images.ndim != 2 or images.shape[1] != 3072:
        raise ValueError(f"{what}: 'data' must be uint8 (n, 3072); found {images.dtype} {images.shape}")
    if labels.shape != (len(images),) or (len(labels) and (labels.min() < 0 or labels.max() > 9)):
        raise ValueError(f"{what}: 'labels' must be {len(images)} ints in 0..9")
    return images.reshape(-1, 3, 32, 32), labels.astype(np.int64)


def _md5(path: Path) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_loaded: dict[tuple, tuple] = {}


def load_cifar10(source: str | Path) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray], tuple[str, ...]]:
    """``(train images, labels), (test images, labels), class names`` from the archive or the
    batch folder (no checksum here: see ``CIFAR10.locate``)."""
    source = Path(source)
    st = source.stat()
    key = (str(source.resolve()), st.st_size, st.st_mtime_ns)
    if key in _loaded:
        return _loaded[key]
    names = (*TRAIN_BATCHES, TEST_BATCH)
    raw: dict[str, bytes] = {}
    if source.is_dir():
        for n in names:
            raw[n] = (source / n).read_bytes()
        if (source / "batches.meta").is_file():
            raw["batches.meta"] = (source / "batches.meta").read_bytes()
    else:
        with tarfile.open(source, "r:*") as tar:
            for member in tar:  # one pass over the compressed stream
                base = member.name.rsplit("/", 1)[-1]
                if member.isfile() and (base in names or base == "batches.meta"):
                    raw[base] = tar.extractfile(member).read()
        missing = [n for n in names if n not in raw]
        if missing:
            raise ValueError(f"{source}: the archive lacks {', '.join(missing)}")
    parts = [read_batch(raw[n], f"{source}:{n}") for n in names]
    train = (np.concatenate([p[0] for p in parts[:5]]), np.concatenate([p[1] for p in parts[:5]]))
    classes = CLASSES
    if "batches.meta" in raw:
        meta = _NumpyOnly(io.BytesIO(raw["batches.meta"]), encoding="bytes").load()
        names_ = meta.get(b"label_names", meta.get("label_names")) if isinstance(meta, dict) else None
        if names_:
            classes = tuple(n.decode() if isinstance(n, bytes) else str(n) for n in names_)
    _loaded[key] = (train, parts[5], classes)
    return _loaded[key]


# --- the DataModule -----------------------------------------------------------------------------


class CIFAR10(L.LightningDataModule):
    """CIFAR-10 held in memory as uint8; batches augmented and normalised as they are served.

    Args:
        data_dir: folder holding ``cifar-10-python.tar.gz`` or ``cifar-10-batches-py/`` (or the
            batch files themselves); if unset, the cache (``$LANDMARK_DATA_DIR/cifar10``, else
            ``~/.cache/landmark/cifar10``).
        verify: check the files' checksums (sha256 of the archive, md5 of extracted batches).
            False accepts any files in CIFAR's batch format after a format check (subsets,
            re-packed copies, test fixtures).
        batch_size: training images per step (He et al. 2015: 128).
        eval_batch_size: images per validation/test/predict batch.
        val_size: training images held out for validation (seeded); 0 validates on the test set.
        train_size: keep only this many training images (a seeded subset); 0 keeps all.
        seed: seed of the split, the subset, the shuffling and the augmentation.
        shuffle: reshuffle the training images every epoch.
        drop_last: drop the last, smaller training batch.
        normalize: ``standard`` (per-channel mean/std of the training split), ``pixel_mean``
            (subtract the training split's mean image, pixels in [0, 1]: He et al. 2015 §4.2),
            ``unit`` ([0, 1]), ``none`` (0..255).
        crop_padding: random 32x32 crops of the training images padded by this many black
            pixels a side (He et al.: 4); 0 for no crops.
        hflip: mirror training images left-right with probability 1/2.
        on_device: hold the dataset (150 MB) on the accelerator when training on one, so
            batches are gathered, augmented and normalised there.
    """

    def __init__(
        self,
        data_dir: str | None = None,
        verify: bool = True,
        batch_size: int = 128,
        eval_batch_size: int = 1000,
        val_size: int = 5000,
        train_size: int = 0,
        seed: int = 0,
        shuffle: bool = True,
        drop_last: bool = False,
        normalize: Literal["standard", "pixel_mean", "unit", "none"] = "standard",
        crop_padding: int = 4,
        hflip: bool = True,
        on_device: bool = True,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.train_set: tuple[Tensor, Tensor] | None = None
        self.val_set: tuple[Tensor, Tensor] | None = None
        self.test_set: tuple[Tensor, Tensor] | None = None
        self.classes: tuple[str, ...] = CLASSES
        self.mean: Tensor = torch.zeros(3, 1, 1)
        self.std: Tensor = torch.ones(3, 1, 1)
        self._affine: tuple[Tensor, Tensor] | None = None  # (scale, shift) on the batches' device

    num_classes = 10
    image_shape = (3, 32, 32)

    # --- finding the files ---

    def _folders(self) -> list[Path]:
        folders = []
        if self.hparams.data_dir:
            d = Path(self.hparams.data_dir).expanduser()
            folders += [d, d / DATASET.name]
        return folders + [DATASET.cache()]

    def locate(self) -> Path:
        """The batch folder or the archive to read, checked as ``verify`` says."""
        verify, rejected = self.hparams.verify, []
        names = (*TRAIN_BATCHES, TEST_BATCH)
        for folder in self._folders():
            for d in (folder / FOLDER, folder):
                if not all((d / n).is_file() for n in names):
                    continue
                if not verify:
                    return d
                bad = [n for n in (*names, "batches.meta") if not (d / n).is_file() or _md5(d / n) != MD5[n]]
                if not bad:
                    return d
                rejected.append(f"{d} ({', '.join(bad)}: missing or md5 mismatch, never used)")
        if verify:
            try:
                return DATASET.locate(self.hparams.data_dir)[ARCHIVE]
            except DataNotFound as e:
                message = str(e)
        else:
            for folder in self._folders():
                if (folder / ARCHIVE).is_file():
                    return folder / ARCHIVE
            message = f"dataset 'cifar10' not found: no {ARCHIVE} nor {FOLDER}/ in " + ", ".join(map(str, self._folders()))
        lines = [message, f"or extract it: {FOLDER}/ with {', '.join(names)} and batches.meta (md5 checked)"]
        if rejected:
            lines.append("rejected: " + "; ".join(rejected))
        if verify:
            lines.append("files of your own in CIFAR's batch format (no checksum): set verify: false")
        raise DataNotFound("\n".join(lines))

    def prepare_data(self) -> None:
        self.locate()

    def setup(self, stage: str | None = None) -> None:
        if self.train_set is not None:
            return
        hp = self.hparams
        (train_x, train_y), (test_x, test_y), self.classes = load_cifar10(self.locate())
        train_x, train_y = torch.from_numpy(train_x.copy()), torch.from_numpy(train_y)
        self.test_set = (torch.from_numpy(test_x.copy()), torch.from_numpy(test_y))
        train_idx, val_idx = seeded_split(len(train_x), hp.val_size, hp.seed, train_size=hp.train_size)
        self.train_set = (train_x[train_idx], train_y[train_idx])
        self.val_set = (train_x[val_idx], train_y[val_idx]) if hp.val_size else self.test_set
        x = self.train_set[0]
        if hp.normalize == "standard":
            mean, std = channel_stats(x)
            self.mean, self.std = torch.tensor(mean)[:, None, None], torch.tensor(std)[:, None, None]
        elif hp.normalize == "pixel_mean":
            self.mean = (x.sum(0, dtype=torch.float64) / (255 * len(x))).float()  # (3, 32, 32)
            self.std = torch.ones(3, 1, 1)
        elif hp.normalize == "unit":
            self.mean, self.std = torch.zeros(3, 1, 1), torch.ones(3, 1, 1)
        elif hp.normalize == "none":
            self.mean, self.std = torch.zeros(3, 1, 1), torch.full((3, 1, 1), 1 / 255)
        else:
            raise ValueError(f"normalize={hp.normalize!r}: expected standard, pixel_mean, unit or none")

    # --- serving ---

    def _normalize(self, x: Tensor) -> Tensor:
        """``(x / 255 - mean) / std`` as one multiply and one add, in place on the float copy."""
        if self._affine is None or self._affine[0].device != x.device:
            scale = 1 / (255 * self.std)
            self._affine = (scale.to(x.device), (-self.mean / self.std).to(x.device))
        return x.float().mul_(self._affine[0]).add_(self._affine[1])

    def train_transform(self, batch: tuple[Tensor, Tensor], g: torch.Generator) -> tuple[Tensor, Tensor]:
        x, y = batch
        hp = self.hparams
        if hp.crop_padding:
            x = random_crop(x, 32, g, padding=hp.crop_padding, flip=0.5 if hp.hflip else 0.0)
        elif hp.hflip:
            x = hflip(x, g)
        return self._normalize(x), y

    def eval_transform(self, batch: tuple[Tensor, Tensor], g: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
        return self._normalize(batch[0]), batch[1]

    def _device_sets(self) -> None:
        device = training_device(self.trainer) if self.hparams.on_device else None
        if device is not None and self.train_set[0].device != device:
            moved: dict[int, tuple[Tensor, Tensor]] = {}
            for name in ("train_set", "val_set", "test_set"):
                tensors = getattr(self, name)
                if id(tensors) not in moved:
                    moved[id(tensors)] = tuple(t.to(device) for t in tensors)
                setattr(self, name, moved[id(tensors)])

    def _batches(self, split: str, batch_size: int, fn, **kw) -> MappedBatches:
        self._device_sets()  # first: it may replace the split's tensors by copies on the GPU
        return MappedBatches(TensorBatches(getattr(self, split), batch_size, **shard(self.trainer), **kw), fn, seed=self.hparams.seed)

    def train_dataloader(self) -> MappedBatches:
        assert self.train_set is not None, "call setup() first"
        hp = self.hparams
        batches = self._batches(
            "train_set", hp.batch_size, self.train_transform, shuffle=hp.shuffle, seed=hp.seed, drop_last=hp.drop_last
        )
        batches.epoch = self.trainer.current_epoch if self.trainer is not None else 0
        return batches

    def val_dataloader(self) -> MappedBatches:
        assert self.val_set is not None, "call setup() first"
        return self._batches("val_set", self.hparams.eval_batch_size, self.eval_transform)

    def test_dataloader(self) -> MappedBatches:
        assert self.test_set is not None, "call setup() first"
        return self._batches("test_set", self.hparams.eval_batch_size, self.eval_transform)

    def predict_dataloader(self) -> MappedBatches:
        return self.test_dataloader()
