"""What the image DataModules share: batch transforms on tensors, and batch iterables
that keep ``TensorBatches``' order, DDP sharding and resumable state.

Everything here works on whole batches, ``(B, C, H, W)``, with one call per batch: a random
crop (and its mirroring) is one gather, a random-resized crop one ``roi_align``. So
augmentation costs no per-sample Python, and runs wherever the batch is (CPU, a loader
worker, or the GPU when the dataset is held there).

Randomness is reproducible and resumable: the generator of batch ``b`` of epoch ``e`` on rank
``r`` is seeded from ``(seed, e, r, b)``, so a run resumed mid-epoch sees the same augmented
batches it would have seen, and two runs with one seed see the same ones.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterator, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from landmark.data import TensorBatches

__all__ = [
    "training_device",
    "batch_generator",
    "channel_stats",
    "MappedBatches",
    "LoaderBatches",
    "random_crop",
    "center_crop",
    "hflip",
    "random_resized_crop",
    "pca_lighting",
    "resize_square",
    "normalize",
]

BatchFn = Callable[[tuple, torch.Generator], tuple]


# --- where this process stands ------------------------------------------------------------------


def training_device(trainer: Any) -> torch.device | None:
    """The accelerator a trainer runs on, when it is not the CPU (where tensors already are)."""
    strategy = getattr(trainer, "strategy", None)
    device = getattr(strategy, "root_device", None)
    return device if isinstance(device, torch.device) and device.type != "cpu" else None


def batch_generator(seed: int, epoch: int, rank: int, batch: int) -> torch.Generator:
    """The generator of one batch's random augmentation: a function of where the batch is."""
    # Python's hash of a tuple of ints is not salted, so this is the same in every process.
    return torch.Generator().manual_seed(hash((seed, epoch, rank, batch)) & (2**63 - 1))


def channel_stats(images: Tensor, scale: float = 1 / 255) -> tuple[list[float], list[float]]:
    """Exact per-channel mean and std of uint8 images ``(N, C, H, W)`` (times ``scale``), from
    a 256-bin histogram per channel: no float copy of the dataset."""
    means, stds = [], []
    values = torch.arange(256, dtype=torch.float64) * scale
    for c in range(images.shape[1]):
        hist = torch.bincount(images[:, c].reshape(-1).to(torch.int64), minlength=256).to(torch.float64)
        p = hist / hist.sum()
        mean = float((p * values).sum())
        means.append(mean)
        stds.append(float(((p * (values - mean) ** 2).sum()).sqrt()))
    return means, stds


# --- batch iterables ----------------------------------------------------------------------------


class MappedBatches:
    """``TensorBatches`` with a function applied to each batch (normalise, augment).

    The function gets the batch and a generator seeded from (seed, epoch, rank, batch index).
    Length, epoch and ``state_dict``/``load_state_dict`` are the inner ``TensorBatches``', so
    Lightning saves and restores the position exactly as for a plain ``TensorBatches``.
    """

    def __init__(self, batches: TensorBatches, fn: BatchFn | None, seed: int = 0) -> None:
        self.batches, self.fn, self.seed = batches, fn, seed

    def __len__(self) -> int:
        return len(self.batches)

    @property
    def epoch(self) -> int:
        return self.batches.epoch

    @epoch.setter
    def epoch(self, value: int) -> None:
        self.batches.epoch = value

    def __iter__(self) -> Iterator[tuple]:
        for batch in self.batches:
            if self.fn is None:
                yield batch
                continue
            state = self.batches.state_dict()
            g = batch_generator(self.seed, state["epoch"], self.batches.rank, state["batches_seen"] - 1)
            yield self.fn(batch, g)

    def state_dict(self) -> dict[str, int]:
        return self.batches.state_dict()

    def load_state_dict(self, state: dict[str, int]) -> None:
        self.batches.load_state_dict(state)


class _BatchDataset(torch.utils.data.Dataset):
    """Map-style dataset whose items are whole batches: key ``(epoch, b, indices)``."""

    def __init__(self, load: Callable[[Tensor], tuple], fn: BatchFn | None, seed: int, rank: int) -> None:
        self.load, self.fn, self.seed, self.rank = load, fn, seed, rank

    def __getitem__(self, key: tuple[int, int, Tensor]) -> tuple[int, int, tuple]:
        epoch, b, idx = key
        batch = self.load(idx)
        if self.fn is not None:
            batch = self.fn(batch, batch_generator(self.seed, epoch, self.rank, b))
        return epoch, b, batch

    def __len__(self) -> int:  # not used by the loader (the sampler drives it), but keeps tools happy
        return 0


class _IndexSampler(torch.utils.data.Sampler):
    """Yields ``(epoch, b, indices)`` from an index-only ``TensorBatches`` (its order and shards)."""

    def __init__(self, index_batches: TensorBatches) -> None:
        self.index_batches = index_batches

    def __iter__(self):
        for (idx,) in self.index_batches:
            st = self.index_batches.state_dict()
            yield st["epoch"], st["batches_seen"] - 1, idx

    def __len__(self) -> int:
        return len(self.index_batches)


class LoaderBatches:
    """Batches assembled by a ``DataLoader`` (workers, pinned memory) in ``TensorBatches``' order.

    For data that is not held as one tensor: images decoded from disk, or of different sizes.
    The batch order, epochs and DDP shards are those of ``TensorBatches`` over the indices
    ``0..n-1``; each worker builds a whole batch (``load(indices)``, then ``fn``), so the
    augmentation runs in the workers. ``state_dict`` counts the batches handed out (not those
    the workers have prefetched), so a resumed run carries on at the next unseen batch.

    Args:
        load: indices ``(b,)`` -> the batch (a tuple); runs in the workers.
        n: number of items.
        fn: batch transform ``(batch, generator) -> batch``; runs in the workers.
        num_workers, pin_memory, persistent_workers, prefetch_factor: as ``DataLoader``'s.
        the rest: as ``TensorBatches``'.
    """

    def __init__(
        self,
        load: Callable[[Tensor], tuple],
        n: int,
        batch_size: int,
        fn: BatchFn | None = None,
        shuffle: bool = False,
        seed: int = 0,
        drop_last: bool = False,
        rank: int = 0,
        world_size: int = 1,
        num_workers: int = 0,
        pin_memory: bool = False,
        persistent_workers: bool = False,
        prefetch_factor: int | None = None,
    ) -> None:
        self.index_batches = TensorBatches(
            [torch.arange(n)], batch_size, shuffle=shuffle, seed=seed, drop_last=drop_last, rank=rank, world_size=world_size
        )
        self.rank = rank
        kw: dict[str, Any] = {}
        if num_workers > 0:
            kw["persistent_workers"] = persistent_workers
            if prefetch_factor is not None:
                kw["prefetch_factor"] = prefetch_factor
        self.loader = torch.utils.data.DataLoader(
            _BatchDataset(load, fn, seed, rank),
            batch_size=None,
            sampler=_IndexSampler(self.index_batches),
            num_workers=num_workers,
            pin_memory=pin_memory,
            **kw,
        )
        self._state = {"epoch": 0, "batches_seen": 0}

    def __len__(self) -> int:
        return len(self.index_batches)

    @property
    def epoch(self) -> int:
        return self.index_batches.epoch

    @epoch.setter
    def epoch(self, value: int) -> None:
        self.index_batches.epoch = value

    def __iter__(self) -> Iterator[tuple]:
        for epoch, b, batch in self.loader:
            self._state = {"epoch": epoch, "batches_seen": b + 1}
            yield batch

    def state_dict(self) -> dict[str, int]:
        return dict(self._state)

    def load_state_dict(self, state: dict[str, int]) -> None:
        self.index_batches.load_state_dict(state)
        self._state = {"epoch": int(state["epoch"]), "batches_seen": int(state.get("batches_seen", 0))}


# --- batch transforms ---------------------------------------------------------------------------


def _rand(g: torch.Generator, *shape: int) -> Tensor:
    return torch.rand(*shape, generator=g)


def random_crop(
    x: Tensor, size: int, g: torch.Generator, padding: int = 0, fill: float = 0, flip: float = 0.0
) -> Tensor:
    """A ``size`` x ``size`` crop at a random place of each image, after padding every side by
    ``padding`` with ``fill`` (torchvision's ``RandomCrop(size, padding)``, for a whole batch),
    mirrored left-right with probability ``flip``: one gather for the batch."""
    if padding:
        x = F.pad(x, (padding,) * 4, value=fill)
    B, C, H, W = x.shape
    if H < size or W < size:
        raise ValueError(f"crop {size} is larger than the (padded) images, {H}x{W}")
    oy = torch.randint(0, H - size + 1, (B,), generator=g)
    ox = torch.randint(0, W - size + 1, (B,), generator=g)
    ar = torch.arange(size)
    cols = ar.expand(B, size)
    if flip:
        mirrored = _rand(g, B) < flip
        cols = torch.where(mirrored[:, None], ar.flip(0), ar)
    rows = oy[:, None] + ar  # (B, size)
    cols = ox[:, None] + cols  # (B, size)
    flat = (rows[:, :, None] * W + cols[:, None, :]).to(x.device).view(B, 1, size * size).expand(B, C, size * size)
    return x.reshape(B, C, H * W).gather(2, flat).view(B, C, size, size)


def center_crop(x: Tensor, size: int) -> Tensor:
    H, W = x.shape[-2:]
    top, left = (H - size) // 2, (W - size) // 2
    return x[..., top : top + size, left : left + size]


def hflip(x: Tensor, g: torch.Generator, p: float = 0.5) -> Tensor:
    """Mirror each image left-right with probability ``p``."""
    flip = (_rand(g, x.shape[0]) < p).to(x.device)
    return torch.where(flip[:, None, None, None], x.flip(-1), x)


def random_resized_crop(
    x: Tensor,
    size: int,
    g: torch.Generator,
    scale: tuple[float, float] = (0.08, 1.0),
    ratio: tuple[float, float] = (3 / 4, 4 / 3),
) -> Tensor:
    """Inception-style crops (Szegedy et al. 2015; torchvision's ``RandomResizedCrop``), a whole
    batch in one ``roi_align``: each image gets a box of random area (``scale`` of the image)
    and aspect ratio, resampled bilinearly to ``size`` x ``size``. Float in, float out."""
    from torchvision.ops import roi_align

    B, _, H, W = x.shape
    tries = 10  # as torchvision: up to 10 draws, then fall back to a central crop
    area = H * W * (scale[0] + (scale[1] - scale[0]) * _rand(g, B, tries))
    logr = math.log(ratio[0]) + (math.log(ratio[1]) - math.log(ratio[0])) * _rand(g, B, tries)
    ar = torch.exp(logr)
    w = torch.sqrt(area * ar).round()
    h = torch.sqrt(area / ar).round()
    ok = (w <= W) & (h <= H) & (w > 0) & (h > 0)
    first = torch.where(ok.any(1), ok.float().argmax(1), torch.full((B,), -1))
    pick = first.clamp(min=0)[:, None]
    w, h = w.gather(1, pick)[:, 0], h.gather(1, pick)[:, 0]
    # Fallback: the central crop at the aspect ratio clamped to `ratio`.
    in_ratio = W / H
    fw, fh = (float(W), float(H))
    if in_ratio < ratio[0]:
        fh = round(W / ratio[0])
    elif in_ratio > ratio[1]:
        fw = round(H * ratio[1])
    bad = first < 0
    w = torch.where(bad, torch.tensor(fw), w)
    h = torch.where(bad, torch.tensor(fh), h)
    u = _rand(g, B, 2)
    x0 = torch.where(bad, (W - w) / 2, torch.floor(u[:, 0] * (W - w + 1)))
    y0 = torch.where(bad, (H - h) / 2, torch.floor(u[:, 1] * (H - h + 1)))
    boxes = torch.stack([torch.arange(B, dtype=torch.float32), x0, y0, x0 + w, y0 + h], 1).to(x.device, x.dtype)
    return roi_align(x, boxes, output_size=(size, size), spatial_scale=1.0, sampling_ratio=2, aligned=True)


# AlexNet's "fancy PCA" colour noise uses the eigenvectors of the RGB covariance of ImageNet's
# pixels; these are the values (pixels in [0, 1]) that fb.resnet.torch and most reproductions use.
IMAGENET_EIGVAL = torch.tensor([0.2175, 0.0188, 0.0045])
IMAGENET_EIGVEC = torch.tensor([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140], [-0.5836, -0.6948, 0.4203]])


def pca_lighting(x: Tensor, std: float, g: torch.Generator) -> Tensor:
    """Krizhevsky et al. (2012) §4.1: add ``[p1 p2 p3][a1 l1, a2 l2, a3 l3]^T`` to every RGB pixel,
    with the eigenpairs ``(p_i, l_i)`` of the RGB covariance and ``a_i ~ N(0, std)`` drawn once
    per image (``std = 0.1`` in the paper). ``x``: float RGB in [0, 1]."""
    alpha = torch.randn(x.shape[0], 3, generator=g) * std
    shift = (alpha * IMAGENET_EIGVAL) @ IMAGENET_EIGVEC.T  # (B, 3)
    return x + shift.to(x.device, x.dtype)[:, :, None, None]


def resize_square(image: Tensor, size: int, mode: str = "shorter_center") -> Tensor:
    """One uint8 image ``(C, H, W)`` -> ``(C, size, size)`` uint8.

    ``shorter_center``: scale the shorter side to ``size``, then keep the central square
    (Krizhevsky et al. 2012 §2: "rescaled the image such that the shorter side was of length
    256, and then cropped out the central 256x256 patch"). ``stretch``: scale each side to
    ``size`` (the aspect ratio changes).
    """
    C, H, W = image.shape
    if mode == "shorter_center":
        s = size / min(H, W)
        h, w = max(size, round(H * s)), max(size, round(W * s))
    elif mode == "stretch":
        h, w = size, size
    else:
        raise ValueError(f"resize mode {mode!r}: expected 'shorter_center' or 'stretch'")
    if (h, w) != (H, W):
        out = F.interpolate(image[None].float(), size=(h, w), mode="bilinear", antialias=True, align_corners=False)
        image = out[0].round_().clamp_(0, 255).to(torch.uint8)
    return center_crop(image, size)


def normalize(x: Tensor, mean: Sequence[float], std: Sequence[float]) -> Tensor:
    """``(x - mean) / std`` per channel; ``x`` float ``(B, C, H, W)``."""
    m = torch.tensor(mean, dtype=x.dtype, device=x.device)[None, :, None, None]
    s = torch.tensor(std, dtype=x.dtype, device=x.device)[None, :, None, None]
    return (x - m) / s
