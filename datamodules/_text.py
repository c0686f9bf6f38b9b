"""What the text DataModules share: a cache of trained tokenizers and padded, bucketed batches.

Tokenizers (Hugging Face ``tokenizers``) are trained on a dataset's training split only and
saved as ``tokenizer.json`` files keyed by the sha256 of the training text and of every
setting that shapes the result, so a changed setting (or a changed training split) trains a
new one and an unchanged one is loaded, never retrained. The folder is, in order: the
DataModule's ``tokenizer_dir``; ``$LANDMARK_CACHE_DIR/<dataset>``; ``~/.cache/landmark/<dataset>``
(``$XDG_CACHE_HOME`` honoured). It is deliberately not ``$LANDMARK_DATA_DIR``: the data may sit
on a read-only share (as ``../shared/data`` does in tests), while a tokenizer is a per-user
artefact. An unwritable folder is not an error: the tokenizer is trained in memory, with a
warning, and the run goes on.

``PaddedBatches`` serves variable-length sequences held as one right-padded ``(N, L_max)``
tensor per field, trimmed per batch to the longest sequence in it, with the sharding, seeded
order and resumable state of ``landmark.data.TensorBatches``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import lightning.pytorch as L
import numpy as np
import torch
from torch import Tensor

from landmark.data import TensorBatches, shard

__all__ = [
    "SplitText",
    "tokenizer_folder", "cached_tokenizer", "text_sha256", "encode_ids", "pad_rows", "PaddedBatches", "splits_for",
    "seeded",
]

# Bump when the way tokenizers are built here changes, so old cache files are not reused.
FORMAT = 1


def tokenizer_folder(dataset: str, tokenizer_dir: str | os.PathLike | None = None) -> Path:
    """Where a dataset's trained tokenizers are cached (see the module docstring)."""
    if tokenizer_dir:
        return Path(tokenizer_dir).expanduser()
    root = os.environ.get("LANDMARK_CACHE_DIR")
    if root:
        return Path(root).expanduser() / dataset
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "landmark" / dataset


def text_sha256(texts: Iterable[str]) -> str:
    """sha256 of a list of texts (each followed by a newline), the cache key of what a tokenizer saw."""
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def cached_tokenizer(
    build: Callable[[], tuple[Any, Any]],
    texts: Sequence[str],
    settings: dict,
    folder: Path,
    stem: str,
) -> tuple[Any, Path | None, bool]:
    """Load the tokenizer trained on ``texts`` with ``settings`` from ``folder``, or train and save it.

    Args:
        build: returns a fresh ``(tokenizers.Tokenizer, trainer)``; called only to train.
        texts: the training split, one text per item; only these are seen by the trainer.
        settings: every option that shapes the tokenizer (JSON-serialisable), part of the key.
        folder: the cache folder (``tokenizer_folder``).
        stem: start of the file name, e.g. ``"bpe"``.

    Returns:
        ``(tokenizer, path, trained)``: ``path`` is the cache file (``None`` when the folder
        was not writable and the tokenizer lives in memory only); ``trained`` says whether it
        was trained by this call rather than loaded.
    """
    from tokenizers import Tokenizer

    key = hashlib.sha256(
        json.dumps({"format": FORMAT, "text_sha256": text_sha256(texts), **settings}, sort_keys=True).encode()
    ).hexdigest()[:16]
    path = folder / f"{stem}-{key}.json"
    if path.is_file():
        try:
            return Tokenizer.from_file(str(path)), path, False
        except Exception as e:  # a damaged cache file is replaced, never trusted
            warnings.warn(f"tokenizer cache {path} is unreadable ({e}); training it again", stacklevel=3)
    tokenizer, trainer = build()
    tokenizer.train_from_iterator(texts, trainer, length=len(texts))
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name and renamed: a reader (another rank, a crash) never
        # sees half a file.
        fd, tmp = tempfile.mkstemp(prefix=f".{stem}-", suffix=".tmp", dir=folder)
        os.close(fd)
        tokenizer.save(tmp)
        os.replace(tmp, path)
        return tokenizer, path, True
    except Exception as e:  # unwritable, read-only, full disk: go on without a cache
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        warnings.warn(
            f"cannot cache the tokenizer in {folder} ({e.__class__.__name__}: {e}); it was trained in memory and "
            "will be trained again next time. Set tokenizer_dir (or $LANDMARK_CACHE_DIR) to a writable folder.",
            stacklevel=3,
        )
        return tokenizer, None, True


def encode_ids(tokenizer, texts: Sequence[str], add_special_tokens: bool = True, chunk: int = 8192) -> list[list[int]]:
    """Ids of many texts, encoded in parallel (without character offsets where the library can).

    In chunks: an ``Encoding`` holds tokens, offsets and masks besides the ids, so encoding a
    whole split at once would hold several times the memory of the ids."""
    encode = getattr(tokenizer, "encode_batch_fast", tokenizer.encode_batch)  # tokenizers >= 0.21
    texts = list(texts)
    ids: list[list[int]] = []
    for lo in range(0, len(texts), chunk):
        ids += [e.ids for e in encode(texts[lo : lo + chunk], add_special_tokens=add_special_tokens)]
    return ids


def pad_rows(rows: Sequence[Sequence[int]], pad_id: int) -> tuple[Tensor, Tensor]:
    """Lists of ids -> right-padded ``(N, L_max)`` int64 and lengths ``(N,)`` int64, without a per-row loop."""
    lengths = torch.tensor([len(r) for r in rows], dtype=torch.int64)
    width = int(lengths.max()) if len(rows) else 0
    out = torch.full((len(rows), width), pad_id, dtype=torch.int64)
    flat = torch.from_numpy(np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(lengths.sum())))
    out[torch.arange(width) < lengths[:, None]] = flat  # row-major: fills each row's prefix in order
    return out, lengths


STAGE_SPLITS = {"fit": ("train", "val"), "validate": ("val",), "test": ("test",), "predict": ("test",)}


def splits_for(stage: str | None) -> tuple[str, ...]:
    """The splits a Lightning stage reads (all three for ``None``)."""
    return STAGE_SPLITS.get(stage, ("train", "val", "test")) if stage else ("train", "val", "test")


def seeded(*parts: int) -> torch.Generator:
    """A generator seeded from several integers (seed, epoch, step...) with no collisions between them."""
    digest = hashlib.sha256(",".join(str(int(p)) for p in parts).encode()).digest()
    return torch.Generator().manual_seed(int.from_bytes(digest[:7], "little"))


class PaddedBatches(TensorBatches):
    """Batches of variable-length examples, padded only to the longest in each batch.

    The examples are ``tensors`` (each with N rows; sequences right-padded to the longest in
    the whole split). Each epoch: the order is a permutation drawn from ``seed`` and the epoch
    (or the stored order when ``shuffle`` is False); under DDP, rank ``r`` of ``world_size``
    takes every ``world_size``-th example of it, the list padded by wrapping so every rank has
    the same number (what ``DistributedSampler`` does); with ``bucket``, the rank's examples are
    cut into pools of ``pool`` batches, each pool sorted by ``sort_key`` (examples of similar
    length together, so little padding), cut into batches, and the batches shuffled (seeded).
    ``collate`` turns the selected rows into the batch (and trims the padding). The epoch and
    the position within it are in ``state_dict``, as in ``TensorBatches``, so a resumed run
    carries on with the same batches.
    """

    def __init__(
        self,
        tensors: Sequence[Tensor],
        collate: Callable[[tuple[Tensor, ...]], Any],
        batch_size: int,
        shuffle: bool = False,
        bucket: bool = False,
        sort_key: Tensor | None = None,
        pool: int = 100,
        seed: int = 0,
        drop_last: bool = False,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        super().__init__(tensors, batch_size, shuffle, seed, drop_last, rank, world_size)
        if bucket and sort_key is None:
            raise ValueError("bucket=True needs a sort_key")
        self.collate = collate
        self.bucket, self.sort_key, self.pool = bucket, sort_key, pool

    def _generator(self) -> torch.Generator:
        return seeded(self.seed, self.epoch)

    def batches(self) -> list[Tensor]:
        """The example indices of each of this rank's batches in the current epoch."""
        idx = self._indices()
        if idx is None:  # all examples, in the stored order
            idx = torch.arange(len(self.tensors[0]))
        b = self.batch_size
        if not self.bucket:
            return [idx[i * b : (i + 1) * b] for i in range(len(self))]
        out: list[Tensor] = []
        for lo in range(0, len(idx), b * self.pool):
            chunk = idx[lo : lo + b * self.pool]
            chunk = chunk[torch.argsort(self.sort_key[chunk], stable=True)]
            out += list(chunk.split(b))
        out = out[: len(self)]  # drop_last: only the last pool's short batch can go
        g = seeded(self.seed, self.epoch, 1)
        return [out[i] for i in torch.randperm(len(out), generator=g).tolist()]

    def __iter__(self) -> Iterator[Any]:
        start = self._start_pass()
        batches = self.batches()
        for i in range(start, len(batches)):
            sel = batches[i]
            self._yielded = i + 1
            yield self.collate(self._take(sel))


class SplitText(L.LightningDataModule):
    """Loaders shared by the sentence DataModules: ``self.splits[name]`` holds a split's
    tensors, ``self._collate`` pads a batch of them, and the training loader is bucketed by
    ``_train_sort_key()``. Subclasses have ``batch_size``, ``eval_batch_size``, ``shuffle``,
    ``bucket``, ``seed`` and ``drop_last`` among their hyperparameters."""

    splits: dict

    def _train_sort_key(self) -> Tensor:
        raise NotImplementedError

    def _batches(self, split: str, batch_size: int, **kw) -> PaddedBatches:
        assert split in self.splits, f"call setup() first (the {split} split is not loaded)"
        return PaddedBatches(self.splits[split], self._collate, batch_size, **shard(self.trainer), **kw)

    def train_dataloader(self) -> PaddedBatches:
        assert "train" in self.splits, "call setup('fit') first"
        h = self.hparams
        batches = self._batches(
            "train", h.batch_size, shuffle=h.shuffle, bucket=h.bucket, sort_key=self._train_sort_key(), seed=h.seed,
            drop_last=h.drop_last,
        )
        # Lightning saves and restores the position (state_dict); the epoch also follows the
        # trainer, so a reloaded loader keeps the per-epoch order.
        batches.epoch = self.trainer.current_epoch if self.trainer is not None else 0
        return batches

    def val_dataloader(self) -> PaddedBatches:
        return self._batches("val", self.hparams.eval_batch_size)

    def test_dataloader(self) -> PaddedBatches:
        return self._batches("test", self.hparams.eval_batch_size)

    def predict_dataloader(self) -> PaddedBatches:
        return self.test_dataloader()
