"""A user's own images, one folder per class: ``root/<class>/**/*.png|jpg|...``.

The layout of torchvision's ``ImageFolder`` and of ImageNet's training set: classes are the
sub-folders of ``root`` (sorted, label = position), images anywhere below them (PNG, JPEG, BMP,
GIF, WebP, TIFF), decoded by Pillow.

Each image is first brought to a square ``image_size`` (``resize_mode``): by default as
Krizhevsky et al. (2012) §2 did for ImageNet, "rescaled the image such that the shorter side
was of length 256, and then cropped out the central 256x256 patch". Then, on whole batches:

- training (``augment``): ``crop_flip``, the paper's §4.1 "extracting random 224x224 patches
  (and their horizontal reflections) from the 256x256 images"; ``random_resized_crop``, the
  Inception-style crops of area 8-100% and aspect 3/4-4/3 that later ImageNet recipes (ResNet,
  ViT) use, resampled to ``crop_size``; ``flip``; or ``none``. Optionally AlexNet's PCA colour
  noise (``pca_lighting: 0.1``, §4.1, with ImageNet's RGB eigenvectors).
- evaluation: the central ``crop_size`` square. (The paper's ten-patch test-time averaging
  is left to the model: it needs the 256 images, ``crop_size: 0``.)
- normalisation: ``imagenet`` (mean 0.485/0.456/0.406, std 0.229/0.224/0.225 on [0, 1]),
  ``alexnet`` (the paper subtracts "the mean activity over the training set" from each pixel:
  here ImageNet's per-channel mean, 0..255 scale, no division), ``unit``, ``none``.

Two ways to serve the images:
- ``in_memory: true``: every image is decoded and resized once, at ``setup``, into one uint8
  tensor ``(N, C, S, S)`` (ImageNet-sized images take N x 196 KB at 256), served by
  ``TensorBatches`` and augmented per batch; with ``on_device`` it sits on the GPU.
- ``in_memory: false``: a ``DataLoader`` whose workers (``num_workers``, ``pin_memory``,
  ``persistent_workers``) each decode, resize and augment a whole batch.

Both keep ``TensorBatches``' order, DDP shards (rank ``r`` of ``w`` takes every ``w``-th
index) and resumable position, and draw the augmentation of each batch from a generator seeded
by ``(seed, epoch, rank, batch)``: the same images, crops and flips on every run with a seed,
and on a run resumed mid-epoch.

Splits: ``val_dir`` (same class folders) when given; otherwise ``val_fraction`` of each class,
drawn from ``seed`` (stratified, so small classes keep their share). Test: ``test_dir`` when
given, else the validation set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Sequence

import lightning.pytorch as L
import numpy as np
import torch
from torch import Tensor

from landmark.data import TensorBatches, shard
from landmark.datamodules._vision import (
    LoaderBatches,
    MappedBatches,
    center_crop,
    hflip,
    normalize as normalize_,
    pca_lighting,
    random_crop,
    random_resized_crop,
    resize_square,
    training_device,
)

__all__ = ["ImageFolder", "scan", "decode", "IMAGE_EXTENSIONS"]

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def scan(root: str | os.PathLike, classes: Sequence[str] | None = None) -> tuple[list[Path], Tensor, list[str]]:
    """``root/<class>/**/<image>`` -> (image paths, labels, class names), sorted.

    ``classes`` fixes the class list (for a validation or test folder: the training classes).
    """
    root = Path(root).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(f"image folder {root} does not exist (expected {root}/<class>/<image files>)")
    found = sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    if classes is None:
        classes = found
    else:
        unknown = sorted(set(found) - set(classes))
        if unknown:
            raise ValueError(f"{root}: class folders {unknown} are not among the training classes {list(classes)}")
    paths, labels = [], []
    for label, name in enumerate(classes):
        folder = root / name
        if not folder.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
            dirnames.sort()
            for f in sorted(filenames):
                if f.lower().endswith(IMAGE_EXTENSIONS) and not f.startswith("."):
                    paths.append(Path(dirpath) / f)
                    labels.append(label)
    if not paths:
        raise FileNotFoundError(
            f"no images under {root}: expected {root}/<class>/<image> with extensions {', '.join(IMAGE_EXTENSIONS)}"
        )
    return paths, torch.tensor(labels, dtype=torch.int64), list(classes)


def decode(path: Path, grayscale: bool = False, size: int = 0) -> Tensor:
    """An image file -> uint8 ``(C, H, W)``, C = 1 or 3 (alpha dropped, palettes expanded).

    Decoded by Pillow (torchvision's decoders are deprecated from 0.29). With ``size``, a JPEG
    may be decoded at a reduced scale (libjpeg's DCT scaling, ``Image.draft``) that still keeps
    both sides >= ``size``: several times faster for photographs bound for 256 pixels.
    """
    from PIL import Image

    with Image.open(path) as im:
        if size and im.format == "JPEG":
            im.draft("L" if grayscale else "RGB", (size, size))
        a = np.asarray(im.convert("L" if grayscale else "RGB"))
    t = torch.from_numpy(a.copy())
    return t[None] if grayscale else t.permute(2, 0, 1).contiguous()


@dataclass
class _Load:
    """Indices -> (uint8 images (B, C, S, S), labels): decoding in the loader's workers."""

    paths: list[Path]
    labels: Tensor
    size: int
    mode: str
    grayscale: bool

    def __call__(self, idx: Tensor) -> tuple[Tensor, Tensor]:
        images = [resize_square(decode(self.paths[i], self.grayscale, self.size), self.size, self.mode) for i in idx.tolist()]
        return torch.stack(images), self.labels[idx]


@dataclass
class _Transform:
    """The batch transform (picklable, so loader workers can run it)."""

    train: bool
    crop_size: int
    augment: str
    pca: float
    normalize: str
    grayscale: bool

    def __call__(self, batch: tuple[Tensor, Tensor], g: torch.Generator) -> tuple[Tensor, Tensor]:
        x, y = batch
        size = self.crop_size or x.shape[-1]
        if not self.train or self.augment == "none":
            x = center_crop(x, size).float()
        elif self.augment == "crop_flip":
            x = random_crop(x, size, g, flip=0.5).float()
        elif self.augment == "flip":
            x = hflip(center_crop(x, size), g).float()
        elif self.augment == "random_resized_crop":
            x = hflip(random_resized_crop(x.float(), size, g), g)
        else:
            raise ValueError(f"augment={self.augment!r}: expected none, flip, crop_flip or random_resized_crop")
        x = x / 255
        if self.train and self.pca and not self.grayscale:
            x = pca_lighting(x, self.pca, g)
        c = x.shape[1]
        if self.normalize == "imagenet":
            mean, std = (IMAGENET_MEAN, IMAGENET_STD) if c == 3 else ((0.449,), (0.226,))
            x = normalize_(x, mean, std)
        elif self.normalize == "alexnet":
            mean = IMAGENET_MEAN if c == 3 else (0.449,)
            x = (x - torch.tensor(mean, device=x.device)[None, :, None, None]) * 255
        elif self.normalize == "none":
            x = x * 255
        elif self.normalize != "unit":
            raise ValueError(f"normalize={self.normalize!r}: expected imagenet, alexnet, unit or none")
        return x, y


class ImageFolder(L.LightningDataModule):
    """Images from class folders, resized to a square, augmented per batch (AlexNet-style).

    Args:
        root: the training folder, ``root/<class>/<images>``.
        val_dir: a validation folder with the same class folders; if unset, ``val_fraction``
            of each class of ``root`` is held out.
        test_dir: a test folder with the same class folders; if unset, test = validation.
        val_fraction: share of each class held out for validation when there is no ``val_dir``.
        seed: seed of the split, the shuffling and the augmentation.
        image_size: side of the square every image is first resized to (AlexNet: 256).
        crop_size: side of the crops fed to the model (AlexNet: 224); 0 = ``image_size``.
        resize_mode: ``shorter_center`` (shorter side to ``image_size``, central square, as
            AlexNet) or ``stretch`` (both sides to ``image_size``).
        augment: training augmentation: ``crop_flip`` (random crops + mirror, AlexNet),
            ``random_resized_crop`` (Inception-style, + mirror), ``flip``, ``none``.
        pca_lighting: std of AlexNet's PCA colour noise (paper: 0.1); 0 turns it off.
        normalize: ``imagenet`` (mean/std), ``alexnet`` (mean subtracted, 0..255), ``unit``
            ([0, 1]), ``none`` (0..255).
        grayscale: load images as one grey channel instead of RGB.
        batch_size: training images per step (AlexNet: 128).
        eval_batch_size: images per validation/test/predict batch.
        shuffle: reshuffle the training images every epoch.
        drop_last: drop the last, smaller training batch.
        in_memory: decode everything once into a uint8 tensor (fast; needs
            N x C x image_size^2 bytes); false decodes each batch in loader workers.
        num_workers: loader worker processes when not ``in_memory`` (0: in this process).
        pin_memory: pin the batches in page-locked memory (faster copies to a GPU).
        persistent_workers: keep the workers alive between epochs.
        on_device: with ``in_memory``, hold the images on the accelerator when training on one.
    """

    def __init__(
        self,
        root: str,
        val_dir: str | None = None,
        test_dir: str | None = None,
        val_fraction: float = 0.1,
        seed: int = 0,
        image_size: int = 256,
        crop_size: int = 224,
        resize_mode: Literal["shorter_center", "stretch"] = "shorter_center",
        augment: Literal["crop_flip", "random_resized_crop", "flip", "none"] = "crop_flip",
        pca_lighting: float = 0.0,
        normalize: Literal["imagenet", "alexnet", "unit", "none"] = "imagenet",
        grayscale: bool = False,
        batch_size: int = 128,
        eval_batch_size: int = 256,
        shuffle: bool = True,
        drop_last: bool = False,
        in_memory: bool = True,
        num_workers: int = 0,
        pin_memory: bool = False,
        persistent_workers: bool = False,
        on_device: bool = True,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        if crop_size > image_size:
            raise ValueError(f"crop_size={crop_size} is larger than image_size={image_size}")
        if not 0 <= val_fraction < 1:
            raise ValueError(f"val_fraction={val_fraction}: must be in [0, 1)")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers needs num_workers > 0")
        self.classes: list[str] = []
        self.splits: dict[str, tuple[list[Path], Tensor]] = {}
        self.memory: dict[str, tuple[Tensor, Tensor]] = {}

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        hp = self.hparams
        return (1 if hp.grayscale else 3, hp.crop_size or hp.image_size, hp.crop_size or hp.image_size)

    def setup(self, stage: str | None = None) -> None:
        if self.splits:
            return
        hp = self.hparams
        paths, labels, self.classes = scan(hp.root)
        if hp.val_dir:
            self.splits["train"] = (paths, labels)
            vp, vl, _ = scan(hp.val_dir, self.classes)
            self.splits["val"] = (vp, vl)
        else:
            g = torch.Generator().manual_seed(hp.seed)
            train, val = [], []
            for c in range(len(self.classes)):
                idx = (labels == c).nonzero()[:, 0]
                idx = idx[torch.randperm(len(idx), generator=g)]
                k = round(hp.val_fraction * len(idx))
                val += idx[:k].tolist()
                train += idx[k:].tolist()
            train, val = sorted(train), sorted(val)
            self.splits["train"] = ([paths[i] for i in train], labels[train])
            self.splits["val"] = ([paths[i] for i in val], labels[val])
        if hp.test_dir:
            tp, tl, _ = scan(hp.test_dir, self.classes)
            self.splits["test"] = (tp, tl)
        else:
            self.splits["test"] = self.splits["val"]
        if hp.in_memory:
            for name, (p, l) in self.splits.items():
                if name == "test" and self.splits["test"] is self.splits["val"]:
                    if "val" in self.memory:
                        self.memory["test"] = self.memory["val"]
                elif len(p):
                    self.memory[name] = _Load(p, l, hp.image_size, hp.resize_mode, hp.grayscale)(torch.arange(len(p)))

    def _transform(self, train: bool) -> _Transform:
        hp = self.hparams
        return _Transform(train, hp.crop_size, hp.augment, hp.pca_lighting, hp.normalize, hp.grayscale)

    def _batches(self, split: str, batch_size: int, train: bool) -> MappedBatches | LoaderBatches | list:
        hp = self.hparams
        paths, labels = self.splits[split]
        if not len(paths):
            return []  # no validation images (val_fraction 0): Lightning skips validation
        kw = dict(shuffle=hp.shuffle, seed=hp.seed, drop_last=hp.drop_last) if train else {}
        if hp.in_memory:
            device = training_device(self.trainer) if hp.on_device else None
            if device is not None and self.memory[split][0].device != device:
                self.memory = {k: tuple(t.to(device) for t in v) for k, v in self.memory.items()}
            inner = TensorBatches(self.memory[split], batch_size, **shard(self.trainer), **kw)
            batches = MappedBatches(inner, self._transform(train), seed=hp.seed)
        else:
            load = _Load(paths, labels, hp.image_size, hp.resize_mode, hp.grayscale)
            batches = LoaderBatches(
                load, len(paths), batch_size, self._transform(train), **shard(self.trainer), **kw,
                num_workers=hp.num_workers, pin_memory=hp.pin_memory, persistent_workers=hp.persistent_workers,
            )
        if train:
            batches.epoch = self.trainer.current_epoch if self.trainer is not None else 0
        return batches

    def train_dataloader(self):
        assert self.splits, "call setup() first"
        return self._batches("train", self.hparams.batch_size, train=True)

    def val_dataloader(self):
        assert self.splits, "call setup() first"
        return self._batches("val", self.hparams.eval_batch_size, train=False)

    def test_dataloader(self):
        assert self.splits, "call setup() first"
        return self._batches("test", self.hparams.eval_batch_size, train=False)

    def predict_dataloader(self):
        return self.test_dataloader()
