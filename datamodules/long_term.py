"""The latch and 2-sequence problems of Bengio, Simard & Frasconi (1994), generated from a seed.

Y. Bengio, P. Simard, P. Frasconi, "Learning long-term dependencies with gradient descent is
difficult", IEEE Transactions on Neural Networks 5(2):157-166, 1994.

Both tasks classify a real-valued sequence u_1..u_T (one input line) into two classes, where
the class depends only on the first L values: C(u_1, ..., u_T) = C(u_1, ..., u_L) (Section II,
"a minimal task illustrating the problem"). The values at L < t <= T are Gaussian noise, mean 0,
variance ``noise_var`` (the paper's s; 0.2 in Hochreiter & Schmidhuber's accounts of both
problems). An error signal exists only at the end of the sequence.

- ``latch``: the paper's minimal task. The first L inputs h_1..h_L are *free parameters tuned
  by the learning algorithm*, one set per class, standing for the output of a module that
  extracts the class; the data therefore carries **zeros** at t <= L, and the model adds its
  own learned h_t of the sequence's class there. Targets at time T: +0.8 for class 1 and -0.8
  for class 0 (Section II).
- ``two_sequence``: the first L values carry the class themselves: +1.0 for class 1 and -1.0 for
  class 0, as Hochreiter & Schmidhuber (1997, Section 5.3, Task 3a) describe "Bengio et al.'s
  2-sequence problem" (their targets: 1.0 and 0.0). ``noisy_prefix=True`` also adds the noise to
  the informative values (their Task 3b).

Lengths: Bengio et al. give every sequence length T; Hochreiter & Schmidhuber note they also
admitted shorter ones, down to T/2, and themselves drew lengths between T and T + T/10. Set
``min_length`` to draw lengths uniformly from [min_length, length]; shorter sequences are padded
with zeros at the end, and ``lengths`` says where each one ends.

A batch is ``(x, label, lengths)``: x ``(B, length, 1)`` float32, label ``(B,)`` int64 in {0, 1},
lengths ``(B,)`` int64. The target sits at index ``lengths - 1``.

This module also holds what every generated task of ``landmark.datamodules`` shares:
``seeded`` (an independent generator per (seed, stream)), ``EpochBatches`` (a set drawn afresh
each epoch, resumable) and ``GeneratedTasks`` (the loaders, with DDP shards).
"""

from __future__ import annotations

import hashlib
import math
from typing import Callable, Iterator, Literal, Sequence

import lightning.pytorch as L
import torch
from torch import Tensor

from landmark.data import Resumable, TensorBatches, shard
from landmark.datasets import Dataset

__all__ = ["LongTermTasks", "long_term_sequences", "seeded", "EpochBatches", "GeneratedTasks", "DATASETS"]

CITATION = (
    "Y. Bengio, P. Simard, P. Frasconi. Learning long-term dependencies with gradient descent is difficult. "
    "IEEE Transactions on Neural Networks 5(2):157-166, 1994."
)
DATASETS = [
    Dataset(
        name="latch",
        generated=True,
        title="Latch problem: two classes set by the first L inputs (learned by the model), then Gaussian noise",
        citation=CITATION,
        size="generated: 1,024 training + 2,560 validation sequences of length 100 by default",
    ),
    Dataset(
        name="two_sequence",
        generated=True,
        title="2-sequence problem: the first L values (+1/-1) give the class, Gaussian noise to length T",
        citation=CITATION,
        size="generated: 1,024 training + 2,560 validation sequences of length 100 by default",
    ),
]


# --- shared by the generated tasks --------------------------------------------------------------


def seeded(seed: int, *stream: str | int) -> torch.Generator:
    """A ``torch.Generator`` for one stream of a task, e.g. ``seeded(0, "train", epoch)``.

    Streams of one seed are independent (the key is hashed, so ("train", 1) of seed 0 is not
    ("train", 0) of seed 1), and the same key gives the same numbers on every run and rank.
    """
    key = repr((int(seed), *stream)).encode()
    return torch.Generator().manual_seed(int.from_bytes(hashlib.sha256(key).digest()[:8], "little") >> 1)


class EpochBatches(Resumable):
    """Batches of a set generated afresh for every epoch: epoch e serves ``make(e)``.

    For tasks whose papers draw training cases on-line, without end: each epoch is a fixed-size
    set made from (seed, epoch), the same on every rank (each rank then takes its shard, as
    ``TensorBatches`` does), so a run is reproducible and a run resumed mid-epoch regenerates the
    same set and carries on after the batches already seen. The state is the epoch and the
    batches served, as for ``TensorBatches``.
    """

    def __init__(
        self,
        make: Callable[[int], Sequence[Tensor]],
        size: int,
        batch_size: int,
        shuffle: bool = False,
        seed: int = 0,
        drop_last: bool = False,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        self.make = make
        self._kw = dict(
            batch_size=batch_size, shuffle=shuffle, seed=seed, drop_last=drop_last, rank=rank, world_size=world_size
        )
        self._len = len(TensorBatches([torch.empty(size, 0)], **self._kw))

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[tuple[Tensor, ...]]:
        start = self._start_pass()
        batches = TensorBatches(self.make(self.epoch), **self._kw)
        batches.load_state_dict({"epoch": self.epoch, "batches_seen": start})
        for batch in batches:
            self._yielded += 1
            yield batch


class GeneratedTasks(L.LightningDataModule):
    """Loaders for a generated task: a fixed validation set and a fixed or per-epoch training set.

    A subclass implements ``make(n, generator)``, returning the tensors of ``n`` cases, and
    passes its sizes up. In ``setup`` the validation set is made from ``seeded(seed, "val")``
    and, unless ``fresh_each_epoch``, the training set from ``seeded(seed, "train")``; with
    ``fresh_each_epoch`` epoch e trains on ``make(n_train, seeded(seed, "train", e))``.
    Validation, test and predict all serve the validation set (the papers' test sets). Under DDP
    every rank takes its shard of each set.
    """

    def __init__(
        self,
        *,
        n_train: int,
        n_val: int,
        batch_size: int,
        eval_batch_size: int,
        seed: int,
        fresh_each_epoch: bool = False,
        shuffle: bool = True,
        drop_last: bool = False,
    ) -> None:
        super().__init__()
        if n_train < 1 or n_val < 1:
            raise ValueError(f"n_train={n_train}, n_val={n_val}: both must be >= 1")
        if batch_size < 1 or eval_batch_size < 1:
            raise ValueError(f"batch_size={batch_size}, eval_batch_size={eval_batch_size}: both must be >= 1")
        self._n_train, self._n_val, self._seed = n_train, n_val, seed
        self._batch_size, self._eval_batch_size = batch_size, eval_batch_size
        self._fresh, self._shuffle, self._drop_last = fresh_each_epoch, shuffle, drop_last
        self.train_set: tuple[Tensor, ...] | None = None
        self.val_set: tuple[Tensor, ...] | None = None

    @property
    def fresh_each_epoch(self) -> bool:
        """Whether each epoch trains on a new set (``epoch_set``) rather than ``train_set``."""
        return self._fresh

    def make(self, n: int, generator: torch.Generator) -> tuple[Tensor, ...]:
        raise NotImplementedError

    def epoch_set(self, epoch: int) -> tuple[Tensor, ...]:
        """The training set of ``epoch`` when ``fresh_each_epoch``."""
        return self.make(self._n_train, seeded(self._seed, "train", epoch))

    def setup(self, stage: str | None = None) -> None:
        if self.val_set is None:
            self.val_set = self.make(self._n_val, seeded(self._seed, "val"))
            if not self._fresh:
                self.train_set = self.make(self._n_train, seeded(self._seed, "train"))

    def train_dataloader(self) -> TensorBatches | EpochBatches:
        assert self.val_set is not None, "call setup() first"
        kw = dict(batch_size=self._batch_size, seed=self._seed, drop_last=self._drop_last, **shard(self.trainer))
        if self._fresh:  # a fresh set is already in random order
            batches: TensorBatches | EpochBatches = EpochBatches(self.epoch_set, self._n_train, **kw)
        else:
            batches = TensorBatches(self.train_set, shuffle=self._shuffle, **kw)
        # Lightning restores the position from the checkpoint (state_dict); the epoch also
        # follows the trainer so a reloaded loader serves the trainer's epoch.
        batches.epoch = self.trainer.current_epoch if self.trainer is not None else 0
        return batches

    def val_dataloader(self) -> TensorBatches:
        assert self.val_set is not None, "call setup() first"
        return TensorBatches(self.val_set, self._eval_batch_size, **shard(self.trainer))

    def test_dataloader(self) -> TensorBatches:
        return self.val_dataloader()

    def predict_dataloader(self) -> TensorBatches:
        return self.val_dataloader()


# --- the 1994 tasks ------------------------------------------------------------------------------

Task = Literal["latch", "two_sequence"]


def long_term_sequences(
    task: str,
    n: int,
    length: int,
    informative: int,
    noise_var: float,
    generator: torch.Generator,
    min_length: int | None = None,
    noisy_prefix: bool = False,
) -> tuple[Tensor, Tensor, Tensor]:
    """``n`` sequences of ``task``: x (n, length, 1) float32, label (n,) int64, lengths (n,) int64."""
    g = generator
    label = torch.randint(0, 2, (n,), generator=g)
    if min_length is None:
        lengths = torch.full((n,), length, dtype=torch.int64)
    else:
        lengths = torch.randint(min_length, length + 1, (n,), generator=g)
    x = torch.randn(n, length, generator=g) * math.sqrt(noise_var)  # h_t, L < t <= T: N(0, s)
    if task == "latch":
        x[:, :informative] = 0.0  # the model's learned h_t^(class) go here
    elif task == "two_sequence":
        sign = (2 * label - 1).to(x.dtype)[:, None]  # class 1: +1.0, class 0: -1.0
        x[:, :informative] = sign + (x[:, :informative] if noisy_prefix else 0.0)
    else:
        raise ValueError(f"unknown task {task!r}; valid: latch, two_sequence")
    x[torch.arange(length) >= lengths[:, None]] = 0.0  # padding after the end
    return x.unsqueeze(-1), label, lengths


class LongTermTasks(GeneratedTasks):
    """The latch and 2-sequence problems (Bengio et al. 1994), generated from ``seed``.

    Args:
        task: ``latch`` (the first ``informative`` inputs are zeros, where the model adds its
            learned per-class values; Section II) or ``two_sequence`` (they are +1/-1).
        length: T, the sequence length (the longest when ``min_length`` is set).
        informative: L, how many leading values decide the class.
        noise_var: variance s of the Gaussian noise at t > L (the paper: 0.2).
        min_length: if set, each sequence's length is drawn uniformly from
            [min_length, length] and the rest is zero padding; None: all have length T.
        noisy_prefix: ``two_sequence`` only: add the noise to the informative values too
            (Hochreiter & Schmidhuber's Task 3b).
        n_train: training sequences (per epoch when ``fresh_each_epoch``).
        n_val: validation sequences (Hochreiter & Schmidhuber's test sets: 2,560).
        batch_size: training sequences per step.
        eval_batch_size: sequences per validation/test batch.
        fresh_each_epoch: draw a new training set every epoch from (seed, epoch), as the
            on-line generation of later work; False: one fixed training set.
        seed: the seed of every set; the same seed gives bit-identical data.
    """

    def __init__(
        self,
        task: Task = "latch",
        length: int = 100,
        informative: int = 3,
        noise_var: float = 0.2,
        min_length: int | None = None,
        noisy_prefix: bool = False,
        n_train: int = 1024,
        n_val: int = 2560,
        batch_size: int = 32,
        eval_batch_size: int = 2560,
        fresh_each_epoch: bool = False,
        seed: int = 0,
    ) -> None:
        super().__init__(
            n_train=n_train, n_val=n_val, batch_size=batch_size, eval_batch_size=eval_batch_size,
            seed=seed, fresh_each_epoch=fresh_each_epoch,
        )
        if task not in ("latch", "two_sequence"):
            raise ValueError(f"task={task!r}; valid: latch, two_sequence")
        if not 1 <= informative < length:
            raise ValueError(f"informative={informative}: must be between 1 and length-1={length - 1}")
        if min_length is not None and not informative < min_length <= length:
            raise ValueError(f"min_length={min_length}: must be in ({informative}, {length}], past the informative values")
        if noise_var < 0:
            raise ValueError(f"noise_var={noise_var}: a variance must be >= 0")
        if noisy_prefix and task == "latch":
            raise ValueError("noisy_prefix applies to task='two_sequence' only (the latch's prefix is learned)")
        self.save_hyperparameters()

    def make(self, n: int, generator: torch.Generator) -> tuple[Tensor, Tensor, Tensor]:
        h = self.hparams
        return long_term_sequences(
            h.task, n, h.length, h.informative, h.noise_var, generator, h.min_length, h.noisy_prefix
        )
