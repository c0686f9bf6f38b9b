"""Sequence-to-sequence toy tasks on digit strings, generated from a seed: reversal and addition.

Small, exactly checkable tasks for encoder-decoder models (Sutskever et al. 2014's Seq2Seq,
Vaswani et al. 2017's Transformer): the answer to every source is known, so a model's
exact-match accuracy is unambiguous.

- ``reverse``: the source is a random digit string of ``min_digits``..``max_digits`` digits
  (each digit uniform on 0-9, leading zeros allowed); the target is the same digits reversed.
- ``add``: the source is ``a+b``, each operand with a number of digits uniform on
  ``min_digits``..``max_digits`` and then uniform among the numbers of that many digits (no
  leading zero; one-digit operands include 0); the target is the decimal sum.

Tokens (``VOCAB``): 0 ``<pad>``, 1 ``<bos>``, 2 ``<eos>``, 3..12 the digits 0-9, 13 ``+``. A
source is its tokens then ``<eos>``; a target is ``<bos>``, its tokens, ``<eos>`` (so a decoder
is fed ``tgt[:, :-1]`` and predicts ``tgt[:, 1:]``); both are padded with ``<pad>`` to a fixed
width set by ``max_digits``. A batch is ``(src, tgt)``, int64:

- reverse: src ``(B, max_digits + 1)``, tgt ``(B, max_digits + 2)``;
- add: src ``(B, 2 * max_digits + 2)``, tgt ``(B, max_digits + 3)``.

The training and validation sets are drawn from independent streams of ``seed``; for short
strings a validation source may also occur in training (there are only so many of them).
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor

from landmark.datamodules.long_term import GeneratedTasks
from landmark.datasets import Dataset

__all__ = ["DigitTasks", "VOCAB", "PAD", "BOS", "EOS", "PLUS", "DIGIT0", "encode", "decode",
           "reversal_pairs", "addition_pairs", "DATASETS"]

VOCAB = ("<pad>", "<bos>", "<eos>", *"0123456789", "+")
PAD, BOS, EOS, DIGIT0, PLUS = 0, 1, 2, 3, 13

DATASETS = [
    Dataset(
        name="digit_reversal",
        generated=True,
        title="Sequence-to-sequence toy: a random digit string and the same digits reversed",
        citation="Generated task; for encoder-decoder models such as Sutskever, Vinyals & Le, NIPS 2014.",
        size="generated: 20,000 training + 1,000 validation pairs of 1-8 digits by default",
    ),
    Dataset(
        name="digit_addition",
        generated=True,
        title="Sequence-to-sequence toy: 'a+b' and its decimal sum",
        citation="Generated task; for encoder-decoder models such as Vaswani et al., NIPS 2017.",
        size="generated: 20,000 training + 1,000 validation pairs, operands of 1-8 digits by default",
    ),
]


def encode(text: str) -> list[int]:
    """``"12+7"`` -> token ids (no ``<bos>``/``<eos>``)."""
    try:
        return [VOCAB.index(c) for c in text]
    except ValueError:
        raise ValueError(f"{text!r}: only digits and '+' are in the vocabulary") from None


def decode(tokens: Tensor | list[int]) -> str:
    """Token ids -> text, up to the first ``<eos>``, without ``<bos>`` and ``<pad>``."""
    out = []
    for t in (tokens.tolist() if isinstance(tokens, Tensor) else tokens):
        if t == EOS:
            break
        if t not in (PAD, BOS):
            out.append(VOCAB[t])
    return "".join(out)


def _place(out: Tensor, start: Tensor, tokens: Tensor, lengths: Tensor) -> None:
    """Write ``tokens[i, :lengths[i]]`` into ``out[i]`` from column ``start[i]``, in place."""
    cols = start[:, None] + torch.arange(tokens.shape[1])
    keep = torch.arange(tokens.shape[1]) < lengths[:, None]
    rows = torch.arange(len(out))[:, None].expand_as(cols)
    out[rows[keep], cols[keep]] = tokens[keep]


def _msd_first(digits_lsd: Tensor, lengths: Tensor) -> Tensor:
    """Digits stored least significant first -> tokens most significant first (row-wise)."""
    index = (lengths[:, None] - 1 - torch.arange(digits_lsd.shape[1])).clamp(min=0)
    return digits_lsd.gather(1, index) + DIGIT0


def reversal_pairs(n: int, min_digits: int, max_digits: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """src (n, max_digits + 1) and tgt (n, max_digits + 2), int64."""
    g = generator
    lengths = torch.randint(min_digits, max_digits + 1, (n,), generator=g)
    digits = torch.randint(0, 10, (n, max_digits), generator=g) + DIGIT0
    src = torch.full((n, max_digits + 1), PAD)
    _place(src, torch.zeros(n, dtype=torch.long), digits, lengths)
    src[torch.arange(n), lengths] = EOS
    reversed_ = digits.gather(1, (lengths[:, None] - 1 - torch.arange(max_digits)).clamp(min=0))
    tgt = torch.full((n, max_digits + 2), PAD)
    tgt[:, 0] = BOS
    _place(tgt, torch.ones(n, dtype=torch.long), reversed_, lengths)
    tgt[torch.arange(n), lengths + 1] = EOS
    return src, tgt


def _numbers(n: int, min_digits: int, max_digits: int, g: torch.Generator) -> tuple[Tensor, Tensor]:
    """Operands as digits (least significant first, (n, max_digits)) and their digit counts."""
    lengths = torch.randint(min_digits, max_digits + 1, (n,), generator=g)
    digits = torch.randint(0, 10, (n, max_digits), generator=g)
    lead = torch.randint(1, 10, (n,), generator=g)
    digits[torch.arange(max_digits) >= lengths[:, None]] = 0
    rows = torch.arange(n)
    digits[rows, lengths - 1] = torch.where(lengths > 1, lead, digits[rows, lengths - 1])  # no leading zero
    return digits, lengths


def addition_pairs(n: int, min_digits: int, max_digits: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """src (n, 2 * max_digits + 2) and tgt (n, max_digits + 3), int64."""
    g, rows = generator, torch.arange(n)
    (a, la), (b, lb) = _numbers(n, min_digits, max_digits, g), _numbers(n, min_digits, max_digits, g)
    # Column addition with carries, least significant digit first: exact for any max_digits.
    width = max_digits + 1
    s = torch.zeros(n, width, dtype=torch.long)
    carry = torch.zeros(n, dtype=torch.long)
    for k in range(width):
        column = carry + (a[:, k] + b[:, k] if k < max_digits else 0)
        s[:, k], carry = column % 10, column // 10
    nonzero = s != 0
    ls = torch.where(nonzero.any(1), width - nonzero.flip(1).int().argmax(1), 1)  # digits of the sum
    src = torch.full((n, 2 * max_digits + 2), PAD)
    _place(src, torch.zeros(n, dtype=torch.long), _msd_first(a, la), la)
    src[rows, la] = PLUS
    _place(src, la + 1, _msd_first(b, lb), lb)
    src[rows, la + 1 + lb] = EOS
    tgt = torch.full((n, max_digits + 3), PAD)
    tgt[:, 0] = BOS
    _place(tgt, torch.ones(n, dtype=torch.long), _msd_first(s, ls), ls)
    tgt[rows, ls + 1] = EOS
    return src, tgt


class DigitTasks(GeneratedTasks):
    """Digit reversal or digit addition as padded (src, tgt) token batches.

    Args:
        task: ``reverse`` (the digits reversed) or ``add`` (``a+b`` -> the sum).
        min_digits: fewest digits of a string (reverse) or of an operand (add).
        max_digits: most digits; sets the padded widths.
        n_train: training pairs (per epoch when ``fresh_each_epoch``).
        n_val: validation pairs.
        batch_size: pairs per training step.
        eval_batch_size: pairs per validation/test batch.
        fresh_each_epoch: a new training set every epoch from (seed, epoch); False: one fixed set.
        seed: the seed of every set; the same seed gives bit-identical data.
    """

    def __init__(
        self,
        task: Literal["reverse", "add"] = "reverse",
        min_digits: int = 1,
        max_digits: int = 8,
        n_train: int = 20000,
        n_val: int = 1000,
        batch_size: int = 64,
        eval_batch_size: int = 1000,
        fresh_each_epoch: bool = False,
        seed: int = 0,
    ) -> None:
        super().__init__(
            n_train=n_train, n_val=n_val, batch_size=batch_size, eval_batch_size=eval_batch_size,
            seed=seed, fresh_each_epoch=fresh_each_epoch,
        )
        if task not in ("reverse", "add"):
            raise ValueError(f"task={task!r}; valid: reverse, add")
        if not 1 <= min_digits <= max_digits:
            raise ValueError(f"min_digits={min_digits}, max_digits={max_digits}: need 1 <= min_digits <= max_digits")
        self.save_hyperparameters()

    @property
    def vocab_size(self) -> int:
        return len(VOCAB)

    def make(self, n: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
        h = self.hparams
        pairs = reversal_pairs if h.task == "reverse" else addition_pairs
        return pairs(n, h.min_digits, h.max_digits, generator)
