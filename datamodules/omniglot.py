"""Omniglot N-way K-shot episodes for meta-learning (MAML), and the 20 one-shot runs of Lake et al.

B. M. Lake, R. Salakhutdinov, J. B. Tenenbaum, "Human-level concept learning through
probabilistic program induction", Science 350(6266), 2015: 1,623 handwritten characters from
50 alphabets, each drawn once by 20 people, 105x105 binary images. The episode protocol is
that of Finn, Abbeel & Levine, "Model-agnostic meta-learning for fast adaptation of deep
networks", ICML 2017 (§5.1, after Santoro et al. 2016 and Vinyals et al. 2016): images
downsampled to 28x28, rotations by multiples of 90 degrees, tasks of N classes with K labelled
examples each (the support set) and further examples of the same classes to evaluate the
adapted model on (the query set).

Data here (``../shared/data/omniglot``, see its SOURCE.md): the two "minimal" background
subsets of Lake's repository (``images_background_small1.zip``, ``images_background_small2.zip``:
5 alphabets each, Greek and Latin in both, so 8 alphabets and 242 distinct characters once the
50 shared ones are counted once; 4,840 images), and ``all_runs.zip``, the 20 official 20-way one-shot classification runs drawn
from the evaluation alphabets. The full background/evaluation sets (964 + 659 characters) that
MAML trained on were not available offline, so meta-training here has a quarter of the paper's
characters. The zips are read in place.

Pre-processing, as MAML's ``resize_images.py`` and ``data_generator.py``: each 105x105 image is
resized to 28x28 with ``PIL.Image.resize(..., LANCZOS)``; because the PNGs are 1-bit, Pillow
resizes them by nearest neighbour, so the images stay binary. Ink is 1, background 0
(``1 - image / image.max()``). ``antialias: true`` instead resizes the grey image with a
Lanczos filter (smoother 28x28 strokes; not MAML's).

Splits: the background characters are split at random (``seed``) into ``val_characters`` for
validation and the rest for meta-training. **Test** is the 20 runs (``test: runs``): each run is
one 20-way 1-shot episode, support = its 20 ``training/classNN.png`` images (label NN-1), query
= its 20 ``test/itemNN.png`` images labelled by ``class_labels.txt``; the runs are fixed
whatever ``n_way``/``k_shot`` say (Lake et al. report error over these 20 runs). ``test: val``
serves the validation episodes instead.

Episodes: a batch is ``meta_batch_size`` episodes, as four tensors::

    support_x (B, N*K, 1, S, S) float32   support_y (B, N*K) int64 in 0..N-1
    query_x   (B, N*Q, 1, S, S) float32   query_y   (B, N*Q) int64

ordered class by class. An episode draws N distinct characters, rotates each by a random
multiple of 90 degrees (a rotated character is a new class, Santoro et al.; as in MAML's code
one rotation per character per episode, so a character appears once per episode), assigns the
labels 0..N-1 in the order drawn, then draws K + Q distinct drawers of each character. Training
episodes are drawn afresh each epoch from a generator seeded by ``(seed, epoch, batch)``, so a
run is reproducible, resumes mid-epoch with the same episodes, and under DDP rank ``r`` takes
batches ``r, r + world_size, ...`` (disjoint, equal shards). Validation episodes are the same
every epoch.
"""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path
from typing import Callable, Iterator, Literal

import lightning.pytorch as L
import numpy as np
import torch
from torch import Tensor

from landmark.data import DataFile, Resumable, TensorBatches, seeded_split, shard
from landmark.datasets import Dataset
from landmark.datamodules._vision import MappedBatches, batch_generator, training_device

__all__ = ["Omniglot", "Episodes", "DATASET", "load_background", "load_runs", "sample_episodes", "with_rotations"]

BACKGROUND = ("images_background_small1.zip", "images_background_small2.zip")
RUNS = "all_runs.zip"

DATASET = Dataset(
    name="omniglot",
    files=(
        DataFile(BACKGROUND[0], "f38eb80f801274ac2b4dff5b24289016bfaba4a7d5bb50deebf27104ad6cb8a4", 1319022,
                 "https://raw.githubusercontent.com/brendenlake/omniglot/master/python/images_background_small1.zip"),
        DataFile(BACKGROUND[1], "3ccaa407515a8778e5d0861875af38b17e418f301ad5bb3b5a6b65d901a41c7f", 1580917,
                 "https://raw.githubusercontent.com/brendenlake/omniglot/master/python/images_background_small2.zip"),
        DataFile(RUNS, "437c1eeab0af8484112e1b4cc0f3d541ec727f7c47b9b202da738af9dfd6c325", 352787,
                 "https://raw.githubusercontent.com/brendenlake/omniglot/master/python/one-shot-classification/all_runs.zip"),
    ),
    title="Omniglot (minimal background subsets, 242 characters x 20 drawers) and the 20 one-shot runs of Lake et al.",
    source="https://github.com/brendenlake/omniglot",
    license="MIT (Copyright (c) 2015 Brenden Lake)",
    citation='B. M. Lake, R. Salakhutdinov, J. B. Tenenbaum, "Human-level concept learning through probabilistic '
    'program induction", Science 350(6266):1332-1338, 2015',
    size="3.3 MB (3 zips)",
)


# --- reading the zips ---------------------------------------------------------------------------


def _image(data: bytes, size: int, antialias: bool) -> np.ndarray:
    """PNG bytes -> uint8 (size, size), ink 255, background 0."""
    from PIL import Image

    im = Image.open(io.BytesIO(data))
    if antialias:
        im = im.convert("L").resize((size, size), resample=Image.LANCZOS)
    else:
        im = im.resize((size, size), resample=Image.LANCZOS)  # a 1-bit image: Pillow uses nearest
    a = np.asarray(im.convert("L"), dtype=np.float32)
    peak = a.max() if a.max() > 0 else 1.0
    return np.round((1.0 - a / peak) * 255).astype(np.uint8)  # MAML: 1 - image / image.max()


_memo: dict[tuple, object] = {}


def load_background(paths: list[Path], size: int = 28, antialias: bool = False) -> tuple[Tensor, list[str]]:
    """The background zips -> images uint8 ``(C, 20, size, size)`` and the ``C`` character names
    (``Alphabet/characterNN``, sorted); a character in both zips is counted once."""
    key = ("bg", tuple(str(p) for p in paths), size, antialias)
    if key in _memo:
        return _memo[key]
    chars: dict[str, dict[str, bytes]] = {}
    for p in paths:
        with zipfile.ZipFile(p) as zf:
            for name in zf.namelist():
                parts = name.split("/")
                if len(parts) == 4 and parts[3].endswith(".png"):  # top/Alphabet/characterNN/xxxx_DD.png
                    chars.setdefault(f"{parts[1]}/{parts[2]}", {})[parts[3]] = zf.read(name)
    names = sorted(chars)
    bad = [n for n in names if len(chars[n]) != 20]
    if bad:
        raise ValueError(f"Omniglot characters need 20 drawings each; {bad[:3]} have {[len(chars[n]) for n in bad[:3]]}")
    images = np.stack([np.stack([_image(chars[n][f], size, antialias) for f in sorted(chars[n])]) for n in names])
    _memo[key] = (torch.from_numpy(images), names)
    return _memo[key]


def load_runs(path: Path, size: int = 28, antialias: bool = False) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """``all_runs.zip`` -> the 20 runs as episodes: support ``(20, 20, 1, S, S)`` uint8 with
    labels ``(20, 20)`` (class NN -> NN-1) and query ``(20, 20, 1, S, S)`` with the labels of
    ``class_labels.txt``."""
    key = ("runs", str(path), size, antialias)
    if key in _memo:
        return _memo[key]
    sx, sy, qx, qy = [], [], [], []
    with zipfile.ZipFile(path) as zf:
        runs = sorted({n.split("/")[0] for n in zf.namelist() if n.startswith("run")})
        for run in runs:
            classes = [f"{run}/training/class{i:02d}.png" for i in range(1, 21)]
            sx.append([_image(zf.read(c), size, antialias) for c in classes])
            sy.append(list(range(20)))
            pairs = [line.split() for line in zf.read(f"{run}/class_labels.txt").decode().splitlines() if line.strip()]
            qx.append([_image(zf.read(item), size, antialias) for item, _ in pairs])
            qy.append([classes.index(cls) for _, cls in pairs])
    as_images = lambda a: torch.from_numpy(np.array(a))[:, :, None]  # (runs, 20, 1, S, S)
    _memo[key] = (as_images(sx), torch.tensor(sy), as_images(qx), torch.tensor(qy))
    return _memo[key]


# --- episodes -----------------------------------------------------------------------------------


def with_rotations(images: Tensor) -> Tensor:
    """uint8 ``(C, D, S, S)`` -> ``(C, 4, D, S, S)``: each character turned by 0, 90, 180, 270 degrees."""
    return torch.stack([torch.rot90(images, r, dims=(-2, -1)) for r in range(4)], 1)


def sample_episodes(
    images: Tensor, batch: int, n_way: int, k_shot: int, k_query: int, g: torch.Generator
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """``batch`` episodes from uint8 ``images (C, R, D, S, S)`` (``R`` rotations of ``D``
    drawings of ``C`` characters), as float32 in [0, 1] (see the module docstring). One gather
    for the whole batch."""
    C, R, D, S = images.shape[:3] + images.shape[-1:]
    chars = torch.rand(batch, C, generator=g).argsort(1)[:, :n_way]  # (B, N) distinct characters
    rots = torch.randint(0, R, (batch, n_way), generator=g)  # (B, N) one rotation per character
    drawers = torch.rand(batch, n_way, D, generator=g).argsort(-1)[..., : k_shot + k_query]  # (B, N, K+Q)
    dev = images.device
    x = images[chars.to(dev)[..., None], rots.to(dev)[..., None], drawers.to(dev)]  # (B, N, K+Q, S, S)
    x = x.float().div_(255)[:, :, :, None]  # (B, N, K+Q, 1, S, S)
    labels = torch.arange(n_way, device=dev)[None, :, None]  # (1, N, 1): labels in the order drawn
    sx = x[:, :, :k_shot].reshape(batch, n_way * k_shot, 1, S, S)
    qx = x[:, :, k_shot:].reshape(batch, n_way * k_query, 1, S, S)
    sy = labels.expand(batch, n_way, k_shot).reshape(batch, -1)
    qy = labels.expand(batch, n_way, k_query).reshape(batch, -1)
    return sx, sy, qx, qy


class Episodes(Resumable):
    """``batches`` batches of episodes per pass, each made by ``make(generator)``.

    Batch ``b`` of epoch ``e`` comes from a generator seeded by ``(seed, e, b)``; ``fixed``
    keeps ``e = -1`` (the same episodes every pass, for validation). Under DDP rank ``r`` of
    ``w`` makes batches ``r, r + w, ...``; the position is in ``state_dict``, as
    ``TensorBatches``'.
    """

    def __init__(
        self, make: Callable[[torch.Generator], tuple], batches: int, seed: int = 0, fixed: bool = False,
        rank: int = 0, world_size: int = 1,
    ) -> None:
        if batches < 1:
            raise ValueError(f"batches per epoch must be >= 1, got {batches}")
        self.make, self.batches, self.seed, self.fixed = make, batches, seed, fixed
        self.rank, self.world_size = rank, world_size

    def __len__(self) -> int:
        return math.ceil(self.batches / self.world_size)

    def __iter__(self) -> Iterator[tuple]:
        start = self._start_pass()
        for j in range(start, len(self)):
            b = (self.rank + j * self.world_size) % self.batches  # wraps, as TensorBatches pads
            g = batch_generator(self.seed, -1 if self.fixed else self.epoch, 0, b)
            self._yielded = j + 1
            yield self.make(g)


def _runs_as_float(batch: tuple, g: torch.Generator) -> tuple:
    """uint8 run episodes -> float in [0, 1] (the generator is unused: no randomness)."""
    sx, sy, qx, qy = batch
    return sx.float() / 255, sy, qx.float() / 255, qy


# --- the DataModule -----------------------------------------------------------------------------


class Omniglot(L.LightningDataModule):
    """Omniglot N-way K-shot episodes (MAML, Finn et al. 2017) and Lake et al.'s 20 one-shot runs.

    Args:
        data_dir: folder holding the three zips (checked by sha256); if unset, the cache
            (``$LANDMARK_DATA_DIR/omniglot``, else ``~/.cache/landmark/omniglot``).
        n_way: classes per episode (N).
        k_shot: labelled examples per class in the support set (K).
        k_query: examples per class in the query set (MAML's code uses K, as ``k_shot``).
        meta_batch_size: episodes per batch (MAML: 32 for 5-way, 16 for 20-way Omniglot).
        train_batches: batches of fresh episodes per training epoch.
        val_batches: batches of validation episodes (the same ones every epoch).
        val_characters: background characters held out for validation (seeded).
        rotations: rotate each character of an episode by a random multiple of 90 degrees.
        image_size: side of the square images (MAML: 28).
        antialias: resize the grey image with a Lanczos filter instead of MAML's nearest
            neighbour on the 1-bit image.
        test: ``runs`` (the 20 one-shot runs of Lake et al., 20-way 1-shot) or ``val`` (the
            validation episodes).
        seed: seed of the character split and of every episode.
        on_device: hold the images on the accelerator when training on one (16 MB with rotations),
            so episodes are drawn there.
    """

    def __init__(
        self,
        data_dir: str | None = None,
        n_way: int = 5,
        k_shot: int = 1,
        k_query: int = 1,
        meta_batch_size: int = 32,
        train_batches: int = 500,
        val_batches: int = 10,
        val_characters: int = 42,
        rotations: bool = True,
        image_size: int = 28,
        antialias: bool = False,
        test: Literal["runs", "val"] = "runs",
        seed: int = 0,
        on_device: bool = True,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        if min(n_way, k_shot, meta_batch_size, image_size) < 1 or k_query < 0:
            raise ValueError("n_way, k_shot, meta_batch_size and image_size must be >= 1, k_query >= 0")
        if k_shot + k_query > 20:
            raise ValueError(f"k_shot + k_query = {k_shot + k_query}: Omniglot has 20 drawings per character")
        self.train_images: Tensor | None = None
        self.val_images: Tensor | None = None
        self.runs: tuple[Tensor, Tensor, Tensor, Tensor] | None = None
        self.train_characters: list[str] = []
        self.val_character_names: list[str] = []

    def prepare_data(self) -> None:
        DATASET.locate(self.hparams.data_dir)

    def setup(self, stage: str | None = None) -> None:
        if self.train_images is not None:
            return
        hp = self.hparams
        paths = DATASET.locate(hp.data_dir)
        images, names = load_background([paths[n] for n in BACKGROUND], hp.image_size, hp.antialias)
        if not 0 <= hp.val_characters <= len(names) - hp.n_way:
            raise ValueError(f"val_characters={hp.val_characters}: must leave at least n_way={hp.n_way} of {len(names)} for training")
        train_idx, val_idx = seeded_split(len(names), hp.val_characters, hp.seed)
        if hp.val_characters and hp.val_characters < hp.n_way:
            raise ValueError(f"val_characters={hp.val_characters}: fewer than n_way={hp.n_way}")
        images = with_rotations(images) if hp.rotations else images[:, None]  # (C, R, 20, S, S)
        self.train_images, self.val_images = images[train_idx], images[val_idx]
        self.train_characters = [names[i] for i in train_idx]
        self.val_character_names = [names[i] for i in val_idx]
        self.runs = load_runs(paths[RUNS], hp.image_size, hp.antialias)

    def _on_device(self) -> None:
        device = training_device(self.trainer) if self.hparams.on_device else None
        if device is not None and self.train_images.device != device:
            self.train_images, self.val_images = self.train_images.to(device), self.val_images.to(device)

    def _episodes(self, images: Tensor, batches: int, fixed: bool) -> Episodes:
        hp = self.hparams
        if len(images) < hp.n_way:
            raise ValueError(f"{len(images)} characters cannot make {hp.n_way}-way episodes (see val_characters)")
        make = lambda g: sample_episodes(images, hp.meta_batch_size, hp.n_way, hp.k_shot, hp.k_query, g)
        return Episodes(make, batches, seed=hp.seed, fixed=fixed, **shard(self.trainer))

    def train_dataloader(self) -> Episodes:
        assert self.train_images is not None, "call setup() first"
        self._on_device()
        episodes = self._episodes(self.train_images, self.hparams.train_batches, fixed=False)
        episodes.epoch = self.trainer.current_epoch if self.trainer is not None else 0
        return episodes

    def val_dataloader(self) -> Episodes:
        assert self.val_images is not None, "call setup() first"
        self._on_device()
        return self._episodes(self.val_images, self.hparams.val_batches, fixed=True)

    def test_dataloader(self) -> Episodes | MappedBatches:
        assert self.runs is not None, "call setup() first"
        if self.hparams.test == "val":
            return self.val_dataloader()
        return MappedBatches(TensorBatches(self.runs, self.hparams.meta_batch_size, **shard(self.trainer)), _runs_as_float)

    def predict_dataloader(self) -> Episodes | MappedBatches:
        return self.test_dataloader()
