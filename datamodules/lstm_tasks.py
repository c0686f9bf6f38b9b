"""Tasks of Hochreiter & Schmidhuber (1997), "Long short-term memory", generated from a seed.

S. Hochreiter, J. Schmidhuber, Neural Computation 9(8):1735-1780, 1997. Section numbers below
are the paper's.

- ``EmbeddedReber`` (Experiment 1, Section 5.1): strings of the embedded Reber grammar, read one
  symbol at a time, the target at every step being the set of symbols that may legally come
  next. B, then T or P, then a string of the Reber grammar, then the same T or P again, then E;
  where there is a choice each edge has probability 0.5. To predict the symbol before last the
  net must remember the second. Local code, 7 units; 256 training strings and 256 test strings,
  the test strings never ones of the training set.
- ``AddingProblem`` (Experiment 4, Section 5.4): pairs (value in [-1, 1], marker); lengths drawn
  between T and T + T/10; exactly two pairs marked 1.0: first one of the first ten pairs (X1),
  then one of the first T/2 - 1 still-unmarked pairs (X2); the marker of the first and of the
  final pair is -1.0 (when not marked), every other one 0.0; if the first pair is marked its
  value is set to zero. Target at the end: 0.5 + (X1 + X2) / 4.0. With
  ``operation="multiply"`` it is Experiment 5 (Section 5.5): values in [0, 1], a marked first
  pair's value set to 1.0, target X1 * X2.
- ``TemporalOrder`` (Experiment 6, Section 5.6): symbols E, then random a/b/c/d except at
  positions t1, t2 (Task 6a; t1, t2, t3 for Task 6b) which hold X or Y, ending with the trigger B;
  lengths 100-110, t1 in [10, 20], t2 in [50, 60] (6b: t1 in [10, 20], t2 in [33, 43], t3 in
  [66, 76]); the class is the order of the Xs and Ys: XX -> Q, XY -> R, YX -> S, YY -> U (6b: XXX ->
  Q, XXY -> R, XYX -> S, XYY -> U, YXX -> V, YXY -> A, YYX -> B, YYY -> C). Positions count from 1
  (the E is at position 1); the tensors index from 0.

Experiments 4-6 generate training sequences on-line (Table 11, "t3"), so by default each epoch
trains on a fresh set drawn from (seed, epoch); validation is a fixed set of 2,560 sequences, the
size of the paper's test sets. The paper updates the weights after every sequence, hence
``batch_size=1``. Padding after a sequence's end is all zeros, and ``lengths`` says where each
sequence ends (the targets of Experiments 4-6 sit at ``lengths - 1``).
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor

from landmark.datamodules.long_term import GeneratedTasks, seeded
from landmark.datasets import Dataset

__all__ = [
    "EmbeddedReber", "AddingProblem", "TemporalOrder", "REBER_SYMBOLS", "TEMPORAL_SYMBOLS", "TEMPORAL_CLASSES",
    "reber_string", "embedded_reber_string", "embedded_reber_next", "embedded_reber_tensors",
    "adding_sequences", "temporal_order_sequences", "DATASETS",
]

CITATION = "S. Hochreiter, J. Schmidhuber. Long short-term memory. Neural Computation 9(8):1735-1780, 1997."
DATASETS = [
    Dataset(
        name="embedded_reber",
        generated=True,
        title="Embedded Reber grammar strings, next-symbol sets as targets (LSTM Experiment 1)",
        citation=CITATION,
        size="generated: 256 training + 256 disjoint test strings, 7 symbols",
    ),
    Dataset(
        name="adding",
        generated=True,
        title="Adding problem: sum of two marked values after T steps (LSTM Experiment 4; 5 with multiply)",
        citation=CITATION,
        size="generated: 10,000 sequences per epoch + 2,560 validation, length T..T+T/10 (T=100 by default)",
    ),
    Dataset(
        name="temporal_order",
        generated=True,
        title="Temporal order: class from the order of 2 or 3 widely separated X/Y symbols (LSTM Experiment 6)",
        citation=CITATION,
        size="generated: 10,000 sequences per epoch + 2,560 validation, length 100-110, 8 symbols",
    ),
]

# --- Experiment 1: the embedded Reber grammar ---------------------------------------------------

REBER_SYMBOLS = ("B", "T", "P", "S", "X", "V", "E")
# The Reber grammar after its B (Fig. 3): state -> its two edges (symbol, next state); state 5
# is the node before the final E.
_REBER = {
    0: (("T", 1), ("P", 2)),
    1: (("S", 1), ("X", 3)),
    2: (("T", 2), ("V", 4)),
    3: (("X", 2), ("S", 5)),
    4: (("P", 3), ("V", 5)),
}


def _coin(g: torch.Generator) -> int:
    return int(torch.randint(0, 2, (1,), generator=g))


def reber_string(generator: torch.Generator) -> str:
    """One string of the Reber grammar, e.g. ``BTSSXXTVVE``; each choice has probability 0.5."""
    out, state = ["B"], 0
    while state != 5:
        symbol, state = _REBER[state][_coin(generator)]
        out.append(symbol)
    return "".join(out) + "E"


def embedded_reber_string(generator: torch.Generator) -> str:
    """One string of the embedded grammar (Fig. 4): B, T|P, a Reber string, the same T|P, E."""
    c = "TP"[_coin(generator)]
    return "B" + c + reber_string(generator) + c + "E"


def embedded_reber_next(string: str) -> list[set[str]]:
    """For each prefix ``string[:i+1]`` (all but the whole string), the symbols that may follow."""
    legal: list[set[str]] = [{"T", "P"}, {"B"}, {s for s, _ in _REBER[0]}]
    state = 0
    for ch in string[3:-3]:  # the inner string between its B and its E
        state = dict(_REBER[state])[ch]
        legal.append({s for s, _ in _REBER[state]} if state != 5 else {"E"})
    legal += [{string[1]}, {"E"}]  # after the inner E: the remembered T|P; then the final E
    return legal


def embedded_reber_tensors(strings: list[str]) -> tuple[Tensor, Tensor, Tensor]:
    """x (n, S, 7): one-hot of each string but its last E; legal (n, S, 7): the legal next
    symbols after each of those prefixes; lengths (n,): len(string) - 1. S = the longest."""
    n, width = len(strings), max(len(s) for s in strings) - 1
    x = torch.zeros(n, width, len(REBER_SYMBOLS))
    legal = torch.zeros(n, width, len(REBER_SYMBOLS))
    index = {s: i for i, s in enumerate(REBER_SYMBOLS)}
    for i, s in enumerate(strings):
        x[i, torch.arange(len(s) - 1), [index[c] for c in s[:-1]]] = 1.0
        for t, nxt in enumerate(embedded_reber_next(s)):
            legal[i, t, [index[c] for c in nxt]] = 1.0
    return x, legal, torch.tensor([len(s) - 1 for s in strings])


class EmbeddedReber(GeneratedTasks):
    """Experiment 1: next-symbol prediction on embedded Reber strings.

    A batch is ``(x, legal, lengths)``: x ``(B, S, 7)`` one-hot inputs (symbol order
    ``REBER_SYMBOLS``), legal ``(B, S, 7)`` the set of legal next symbols at each step (the
    paper's targets: a string is right when the most active output units are the legal ones),
    lengths ``(B,)``; padding is zeros.

    Args:
        n_train: training strings (the paper, after Fahlman: 256), drawn at random.
        n_test: test strings (256), drawn at random but never a training string; served for
            validation and test.
        batch_size: strings per step; the paper picks one training string at a time at random.
        eval_batch_size: strings per validation/test batch.
        seed: the seed of both sets; the same seed gives bit-identical data.
    """

    def __init__(
        self, n_train: int = 256, n_test: int = 256, batch_size: int = 1, eval_batch_size: int = 256, seed: int = 0
    ) -> None:
        super().__init__(
            n_train=n_train, n_val=n_test, batch_size=batch_size, eval_batch_size=eval_batch_size, seed=seed
        )
        self.save_hyperparameters()
        self.train_strings: list[str] = []
        self.test_strings: list[str] = []

    def setup(self, stage: str | None = None) -> None:
        if self.val_set is not None:
            return
        g = seeded(self.hparams.seed, "train")
        self.train_strings = [embedded_reber_string(g) for _ in range(self.hparams.n_train)]
        seen, g = set(self.train_strings), seeded(self.hparams.seed, "test")
        while len(self.test_strings) < self.hparams.n_test:
            s = embedded_reber_string(g)
            if s not in seen:  # "sequences already used in the training set are not used for testing"
                self.test_strings.append(s)
        self.train_set = embedded_reber_tensors(self.train_strings)
        self.val_set = embedded_reber_tensors(self.test_strings)


# --- Experiments 4 and 5: adding and multiplication ----------------------------------------------


def adding_sequences(
    n: int, min_length: int, generator: torch.Generator, operation: str = "add"
) -> tuple[Tensor, Tensor, Tensor]:
    """x (n, T + T//10, 2) float32 pairs (value, marker), target (n,), lengths (n,)."""
    g, T = generator, min_length
    width = T + T // 10
    rows = torch.arange(n)
    lengths = torch.randint(T, width + 1, (n,), generator=g)
    if operation == "add":
        values = torch.rand(n, width, generator=g) * 2.0 - 1.0  # [-1, 1]
    elif operation == "multiply":
        values = torch.rand(n, width, generator=g)  # [0, 1]
    else:
        raise ValueError(f"operation={operation!r}; valid: add, multiply")
    first = torch.randint(0, 10, (n,), generator=g)  # one of the first ten pairs
    # One of the first T/2 - 1 pairs still unmarked: the r-th unmarked pair is r, or r + 1
    # once past the first mark.
    r = torch.randint(0, T // 2 - 1, (n,), generator=g)
    second = r + (r >= first).long()
    markers = torch.zeros(n, width)
    markers[:, 0] = -1.0
    markers[rows, lengths - 1] = -1.0
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    # A marked first pair contributes 0 to a sum (the paper's "X1 set to zero"), 1 to a product.
    values[:, 0] = torch.where(markers[:, 0] == 1.0, 0.0 if operation == "add" else 1.0, values[:, 0])
    pad = torch.arange(width) >= lengths[:, None]
    values[pad], markers[pad] = 0.0, 0.0
    x1, x2 = values[rows, first], values[rows, second]
    target = 0.5 + (x1 + x2) / 4.0 if operation == "add" else x1 * x2
    return torch.stack([values, markers], dim=-1), target, lengths


class AddingProblem(GeneratedTasks):
    """Experiment 4 (or 5 with ``operation="multiply"``), generated from ``seed``.

    A batch is ``(x, target, lengths)``: x ``(B, T + T//10, 2)`` float32 pairs (value, marker),
    target ``(B,)`` float32 (0.5 + (X1 + X2)/4, or X1 * X2), lengths ``(B,)`` int64; the target
    belongs at step ``lengths - 1``. A sequence is right when its absolute error is below 0.04.

    Args:
        min_length: T, the minimal sequence length (the paper: 100, 500, 1000); lengths are drawn
            from [T, T + T/10] and the minimal time lag is T/2.
        operation: ``add`` (Experiment 4) or ``multiply`` (Experiment 5).
        n_train: training sequences per epoch.
        n_val: validation sequences (the paper's test set: 2,560).
        batch_size: sequences per step (the paper: one).
        eval_batch_size: sequences per validation/test batch.
        fresh_each_epoch: a new training set each epoch from (seed, epoch), the paper's on-line
            generation; False: one fixed training set.
        seed: the seed of every set; the same seed gives bit-identical data.
    """

    def __init__(
        self,
        min_length: int = 100,
        operation: Literal["add", "multiply"] = "add",
        n_train: int = 10000,
        n_val: int = 2560,
        batch_size: int = 1,
        eval_batch_size: int = 2560,
        fresh_each_epoch: bool = True,
        seed: int = 0,
    ) -> None:
        super().__init__(
            n_train=n_train, n_val=n_val, batch_size=batch_size, eval_batch_size=eval_batch_size,
            seed=seed, fresh_each_epoch=fresh_each_epoch,
        )
        if min_length < 12:
            raise ValueError(f"min_length={min_length}: must be >= 12 (ten markable pairs, then the final pair)")
        if operation not in ("add", "multiply"):
            raise ValueError(f"operation={operation!r}; valid: add, multiply")
        self.save_hyperparameters()

    def make(self, n: int, generator: torch.Generator) -> tuple[Tensor, Tensor, Tensor]:
        return adding_sequences(n, self.hparams.min_length, generator, self.hparams.operation)


# --- Experiment 6: temporal order ----------------------------------------------------------------

TEMPORAL_SYMBOLS = ("a", "b", "c", "d", "X", "Y", "E", "B")
TEMPORAL_CLASSES = {2: ("Q", "R", "S", "U"), 3: ("Q", "R", "S", "U", "V", "A", "B", "C")}
# (first, last) position of each relevant symbol, counted from 1 (Section 5.6).
_WINDOWS = {2: ((10, 20), (50, 60)), 3: ((10, 20), (33, 43), (66, 76))}
_MIN_LEN, _MAX_LEN = 100, 110


def temporal_order_sequences(n: int, relevant: int, generator: torch.Generator) -> tuple[Tensor, Tensor, Tensor]:
    """x (n, 110, 8) one-hot (``TEMPORAL_SYMBOLS``), label (n,) int64, lengths (n,) int64.

    The class is the X/Y order read as a binary number, X = 0 and Y = 1, first symbol most
    significant: that is the paper's listing order of the classes (``TEMPORAL_CLASSES``).
    """
    g, rows = generator, torch.arange(n)
    lengths = torch.randint(_MIN_LEN, _MAX_LEN + 1, (n,), generator=g)
    ids = torch.randint(0, 4, (n, _MAX_LEN), generator=g)  # a, b, c, d
    xy = torch.randint(0, 2, (n, relevant), generator=g)  # 0: X, 1: Y
    for k, (lo, hi) in enumerate(_WINDOWS[relevant]):
        position = torch.randint(lo, hi + 1, (n,), generator=g) - 1
        ids[rows, position] = TEMPORAL_SYMBOLS.index("X") + xy[:, k]
    ids[:, 0] = TEMPORAL_SYMBOLS.index("E")
    ids[rows, lengths - 1] = TEMPORAL_SYMBOLS.index("B")  # the trigger symbol
    pad = len(TEMPORAL_SYMBOLS)
    ids[torch.arange(_MAX_LEN) >= lengths[:, None]] = pad
    x = F.one_hot(ids, pad + 1)[..., :pad].float()  # padding: all zeros
    label = (xy * (2 ** torch.arange(relevant - 1, -1, -1))).sum(1)
    return x, label, lengths


class TemporalOrder(GeneratedTasks):
    """Experiment 6a (``relevant=2``, 4 classes) or 6b (``relevant=3``, 8 classes).

    A batch is ``(x, label, lengths)``: x ``(B, 110, 8)`` one-hot (``TEMPORAL_SYMBOLS``), label
    ``(B,)`` int64 (class names in ``TEMPORAL_CLASSES``), lengths ``(B,)`` int64; the class is
    asked for at step ``lengths - 1``, the trigger B.

    Args:
        relevant: how many X/Y symbols decide the class: 2 (Task 6a) or 3 (Task 6b).
        n_train: training sequences per epoch.
        n_val: validation sequences (the paper's test set: 2,560).
        batch_size: sequences per step (the paper: one).
        eval_batch_size: sequences per validation/test batch.
        fresh_each_epoch: a new training set each epoch from (seed, epoch), the paper's on-line
            generation; False: one fixed training set.
        seed: the seed of every set; the same seed gives bit-identical data.
    """

    def __init__(
        self,
        relevant: int = 2,
        n_train: int = 10000,
        n_val: int = 2560,
        batch_size: int = 1,
        eval_batch_size: int = 2560,
        fresh_each_epoch: bool = True,
        seed: int = 0,
    ) -> None:
        super().__init__(
            n_train=n_train, n_val=n_val, batch_size=batch_size, eval_batch_size=eval_batch_size,
            seed=seed, fresh_each_epoch=fresh_each_epoch,
        )
        if relevant not in (2, 3):
            raise ValueError(f"relevant={relevant}; valid: 2 (Task 6a) or 3 (Task 6b)")
        self.save_hyperparameters()

    @property
    def n_classes(self) -> int:
        return 2 ** self.hparams.relevant

    def make(self, n: int, generator: torch.Generator) -> tuple[Tensor, Tensor, Tensor]:
        return temporal_order_sequences(n, self.hparams.relevant, generator)
