"""Tiny Shakespeare for language modelling: characters (nanoGPT's ``shakespeare_char``) or BPE subwords.

The text is Karpathy's char-rnn ``input.txt`` (1,115,394 characters, all ASCII, 65 distinct,
40,000 lines). As in nanoGPT's ``data/shakespeare_char/prepare.py``, the first 90% of the
characters are the training split and the last 10% the validation split (by position, no
shuffling: the validation text is the end of the file). There is no test split;
``test_dataloader`` serves the validation split.

Tokenizers:

- ``char``: one token per character; the vocabulary is the sorted set of characters of the
  whole file (65), exactly nanoGPT's ``stoi``/``itos``.
- ``bpe``: a byte-level BPE (GPT-2's scheme: the 256 bytes, then merges; ``<|endoftext|>`` is
  id 0) trained with the ``tokenizers`` library on the training split only, ``vocab_size``
  tokens in all. Each split is encoded on its own after the split, as nanoGPT's
  ``shakespeare/prepare.py`` does. The trained tokenizer is cached (see ``_text``: the
  ``tokenizer_dir`` argument, ``$LANDMARK_CACHE_DIR``, else ``~/.cache/landmark/tinyshakespeare``)
  under a key of the training text's sha256 and the BPE settings.

Batches are ``(x, y)``, both ``(B, T)`` int64 with ``T = block_size``; ``y`` is ``x`` shifted by
one token (the next-token targets).

- Training, ``sampling="random"`` (default, nanoGPT's ``get_batch``): every step draws
  ``batch_size`` windows at uniformly random offsets. An "epoch" is ``steps_per_epoch`` steps
  (nanoGPT evaluates every 250 iterations). The offsets of step ``s`` of epoch ``e`` come from
  a generator seeded with ``(seed, e, s)``, so any step can be replayed on its own: a resumed
  run sees exactly the batches an uninterrupted one would. Under DDP the ``world_size * B``
  offsets of a step are drawn once and rank ``r`` takes the ``r``-th block of ``B``: the global
  batch is the same as one process with batch ``world_size * B``.
- Training, ``sampling="contiguous"``: the training tokens cut into non-overlapping windows
  (offsets 0, T, 2T, ...), shuffled each epoch (seeded), served by ``TensorBatches``; one epoch
  is one pass over the training text.
- Validation and test: always the contiguous non-overlapping windows of the validation split,
  in order, so the validation loss is over the whole split and the same every time (nanoGPT
  instead averages 200 random batches).
"""

from __future__ import annotations

from typing import Iterator, Literal, Sequence

import lightning.pytorch as L
import numpy as np
import torch
from torch import Tensor

from landmark.data import DataFile, Resumable, TensorBatches, shard
from landmark.datasets import Dataset

from landmark.datamodules._text import cached_tokenizer, encode_ids, seeded, tokenizer_folder

__all__ = ["DATASET", "TinyShakespeare", "RandomWindows", "read_text", "split_text"]

DATASET = Dataset(
    name="tinyshakespeare",
    files=(
        DataFile(
            "input.txt",
            "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
            1115394,
            "https://raw.githubusercontent.com/karpathy/char-rnn/6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e/"
            "data/tinyshakespeare/input.txt",
        ),
    ),
    title="Tiny Shakespeare: a subset of the works of Shakespeare in one text file (char-rnn)",
    source="https://github.com/karpathy/char-rnn (data/tinyshakespeare/input.txt)",
    license="MIT (char-rnn README); the text itself is public domain",
    citation="A. Karpathy, char-rnn, https://github.com/karpathy/char-rnn, 2015",
    size="1.1 MB: 1,115,394 characters (ASCII, 65 distinct), 40,000 lines",
)

EOT = "<|endoftext|>"


def read_text(data_dir: str | None = None) -> str:
    """The whole of ``input.txt``, found and checked by ``DATASET.locate``."""
    path = DATASET.locate(data_dir)["input.txt"]
    return path.read_text(encoding="utf-8")


def split_text(text: str, val_fraction: float = 0.1) -> tuple[str, str]:
    """(train, val) by character position, nanoGPT's ``data[:int(n*0.9)]`` / ``data[int(n*0.9):]``."""
    n = int(len(text) * (1 - val_fraction))
    return text[:n], text[n:]


class RandomWindows(Resumable):
    """nanoGPT's ``get_batch``: ``(x, y)`` windows at random offsets, ``len`` steps per epoch.

    Step ``s`` of epoch ``e`` draws ``world_size * batch_size`` offsets from a generator seeded
    with ``(seed, e, s)``; rank ``r`` takes the ``r``-th block of ``batch_size``. The epoch and
    the position within it are in ``state_dict`` (as in ``TensorBatches``), so a resumed run
    carries on with the same windows.
    """

    def __init__(
        self,
        tokens: Tensor,
        block_size: int,
        batch_size: int,
        steps: int,
        seed: int = 0,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        if len(tokens) <= block_size:
            raise ValueError(f"block_size {block_size} needs more than {len(tokens)} tokens")
        self.tokens, self.block_size, self.batch_size, self.steps = tokens, block_size, batch_size, steps
        self.seed, self.rank, self.world_size = seed, rank, world_size
        self._offsets = torch.arange(block_size)

    def __len__(self) -> int:
        return self.steps

    def batch(self, epoch: int, step: int) -> tuple[Tensor, Tensor]:
        """The ``(x, y)`` of one step of one epoch on this rank, computed on its own."""
        b = self.batch_size
        g = seeded(self.seed, epoch, step)
        starts = torch.randint(len(self.tokens) - self.block_size, (self.world_size * b,), generator=g)
        idx = starts[self.rank * b : (self.rank + 1) * b, None] + self._offsets  # (B, T)
        return self.tokens[idx], self.tokens[idx + 1]

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        start = self._start_pass()
        for s in range(start, self.steps):
            self._yielded = s + 1
            yield self.batch(self.epoch, s)


def windows(tokens: Tensor, block_size: int) -> tuple[Tensor, Tensor]:
    """Contiguous non-overlapping windows: x ``(N, T)`` from offsets 0, T, 2T...; y shifted by one."""
    n = (len(tokens) - 1) // block_size
    return tokens[: n * block_size].view(n, block_size), tokens[1 : n * block_size + 1].view(n, block_size)


class TinyShakespeare(L.LightningDataModule):
    """Tiny Shakespeare as ``(x, y)`` windows of token ids, at character or BPE level.

    Args:
        data_dir: folder holding ``input.txt`` (checked by sha256); if unset, the cache
            (``$LANDMARK_DATA_DIR/tinyshakespeare``, else ``~/.cache/landmark/tinyshakespeare``).
        tokenizer: ``char`` (one token per character, nanoGPT's shakespeare_char) or ``bpe``
            (byte-level BPE trained on the training split).
        vocab_size: size of the BPE vocabulary (256 bytes + the end-of-text token + merges);
            ignored for ``char``. The vocabulary actually used is the ``vocab_size`` property.
        block_size: tokens per window (the context length T).
        batch_size: windows per training step (per process under DDP).
        eval_batch_size: windows per validation/test batch.
        sampling: training windows at ``random`` offsets each step (nanoGPT) or the
            ``contiguous`` non-overlapping windows, shuffled each epoch.
        steps_per_epoch: training steps per epoch with ``random`` sampling.
        val_fraction: the share of the text, from its end, that is the validation split.
        seed: seeds the random windows and the shuffling (nanoGPT uses 1337).
        tokenizer_dir: folder to cache the trained BPE in; default ``$LANDMARK_CACHE_DIR/tinyshakespeare``,
            else ``~/.cache/landmark/tinyshakespeare``. Unwritable: trained in memory, with a warning.
        min_frequency: a pair must occur this often to be merged (BPE).
    """

    def __init__(
        self,
        data_dir: str | None = None,
        tokenizer: Literal["char", "bpe"] = "char",
        vocab_size: int = 2048,
        block_size: int = 256,
        batch_size: int = 64,
        eval_batch_size: int = 64,
        sampling: Literal["random", "contiguous"] = "random",
        steps_per_epoch: int = 250,
        val_fraction: float = 0.1,
        seed: int = 1337,
        tokenizer_dir: str | None = None,
        min_frequency: int = 2,
    ) -> None:
        super().__init__()
        if tokenizer not in ("char", "bpe"):
            raise ValueError(f"tokenizer must be 'char' or 'bpe', got {tokenizer!r}")
        if sampling not in ("random", "contiguous"):
            raise ValueError(f"sampling must be 'random' or 'contiguous', got {sampling!r}")
        if tokenizer == "bpe" and vocab_size < 257:
            raise ValueError(f"a byte-level BPE needs vocab_size >= 257 (256 bytes + {EOT}), got {vocab_size}")
        if not 0 < val_fraction < 1:
            raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
        self.save_hyperparameters()
        self._text: str | None = None
        self._stoi: dict[str, int] | None = None
        self._itos: list[str] | None = None
        self._lut: np.ndarray | None = None
        self.bpe_tokenizer = None  # tokenizers.Tokenizer, for tokenizer="bpe"
        self.tokenizer_path = None  # its cache file (None: in memory only)
        self.tokenizer_trained = False  # trained by this instance rather than loaded from the cache
        self.train_tokens: Tensor | None = None  # (N,) int64
        self.val_tokens: Tensor | None = None

    # ------------------------------------------------------------------ the tokenizer

    def _read(self) -> str:
        if self._text is None:
            self._text = read_text(self.hparams.data_dir)
        return self._text

    def _tokenizer_ready(self) -> None:
        if self._itos is not None or self.bpe_tokenizer is not None:
            return
        text = self._read()
        if self.hparams.tokenizer == "char":
            self._itos = sorted(set(text))
            self._stoi = {c: i for i, c in enumerate(self._itos)}
            if all(ord(c) < 256 for c in self._itos):  # a byte lookup table: no per-character Python
                self._lut = np.full(256, -1, dtype=np.int64)
                for i, c in enumerate(self._itos):
                    self._lut[ord(c)] = i
            return
        train, _ = split_text(text, self.hparams.val_fraction)
        h = self.hparams
        settings = {
            "model": "byte-level-bpe", "vocab_size": h.vocab_size, "min_frequency": h.min_frequency, "special": [EOT]
        }
        folder = tokenizer_folder(DATASET.name, h.tokenizer_dir)
        self.bpe_tokenizer, self.tokenizer_path, self.tokenizer_trained = cached_tokenizer(
            self._build_bpe, train.splitlines(keepends=True), settings, folder, "bpe"
        )

    def _build_bpe(self):
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)  # GPT-2's regex split, then bytes
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=self.hparams.vocab_size,
            min_frequency=self.hparams.min_frequency,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            special_tokens=[EOT],
            show_progress=False,
        )
        return tok, trainer

    @property
    def vocab_size(self) -> int:
        """The vocabulary the model needs: 65 characters, or the trained BPE's size."""
        self._tokenizer_ready()
        return len(self._itos) if self._itos is not None else self.bpe_tokenizer.get_vocab_size()

    def encode(self, text: str) -> list[int]:
        """Text -> token ids (a character outside the vocabulary is an error at ``char`` level)."""
        self._tokenizer_ready()
        if self._itos is None:
            return self.bpe_tokenizer.encode(text).ids
        try:
            return [self._stoi[c] for c in text]
        except KeyError as e:
            raise ValueError(
                f"character {e.args[0]!r} is not in the vocabulary of {len(self._itos)} characters"
            ) from None

    def decode(self, ids: Sequence[int] | Tensor) -> str:
        """Token ids -> text."""
        self._tokenizer_ready()
        ids = ids.tolist() if isinstance(ids, Tensor) else list(ids)
        if self._itos is None:
            return self.bpe_tokenizer.decode(ids, skip_special_tokens=False)
        return "".join(self._itos[i] for i in ids)

    def _encode_split(self, text: str) -> Tensor:
        if self._itos is not None:
            if self._lut is not None:
                return torch.from_numpy(self._lut[np.frombuffer(text.encode("latin-1"), dtype=np.uint8)])
            return torch.tensor(self.encode(text), dtype=torch.int64)
        # Line by line, in parallel, several times faster than the split as one string, and the
        # same ids here: GPT-2's pre-tokenizer only joins a newline to the spaces after it, and
        # no line of this file starts with a space (the tests compare the two).
        lines = text.splitlines(keepends=True)
        rows = encode_ids(self.bpe_tokenizer, lines, add_special_tokens=False)
        return torch.from_numpy(np.fromiter((i for r in rows for i in r), dtype=np.int64))

    # ------------------------------------------------------------------ Lightning hooks

    def prepare_data(self) -> None:
        # Once per node before setup (Lightning): find the file, train and cache the BPE.
        self._tokenizer_ready()

    def setup(self, stage: str | None = None) -> None:
        if self.train_tokens is not None:
            return
        self._tokenizer_ready()
        train, val = split_text(self._read(), self.hparams.val_fraction)
        self.train_tokens, self.val_tokens = self._encode_split(train), self._encode_split(val)
        if len(self.val_tokens) <= self.hparams.block_size:
            raise ValueError(
                f"block_size {self.hparams.block_size} is longer than the validation split "
                f"({len(self.val_tokens)} tokens)"
            )

    def train_dataloader(self) -> RandomWindows | TensorBatches:
        assert self.train_tokens is not None, "call setup() first"
        h = self.hparams
        if h.sampling == "random":
            batches = RandomWindows(
                self.train_tokens, h.block_size, h.batch_size, h.steps_per_epoch, h.seed, **shard(self.trainer)
            )
        else:
            x, y = windows(self.train_tokens, h.block_size)
            batches = TensorBatches((x, y), h.batch_size, shuffle=True, seed=h.seed, **shard(self.trainer))
        # Lightning saves and restores the position (state_dict); the epoch also follows the
        # trainer, so a reloaded loader keeps the per-epoch draws.
        batches.epoch = self.trainer.current_epoch if self.trainer is not None else 0
        return batches

    def val_dataloader(self) -> TensorBatches:
        assert self.val_tokens is not None, "call setup() first"
        h = self.hparams
        return TensorBatches(windows(self.val_tokens, h.block_size), h.eval_batch_size, **shard(self.trainer))

    def test_dataloader(self) -> TensorBatches:
        return self.val_dataloader()
