"""Finding dataset files offline first, and feeding in-memory datasets without per-sample Python.

Resolution order for a dataset's files (DESIGN.md, "Data"): the config's ``data_dir``; the
cache (``$LANDMARK_DATA_DIR/<dataset>``, else ``~/.cache/landmark/<dataset>``); then known
system locations given by the caller. A file is used only if its sha256 matches.
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import torch

__all__ = ["DataFile", "DataNotFound", "find_files", "cache_dir", "sha256", "TensorBatches"]


class DataNotFound(FileNotFoundError):
    """No usable copy of a dataset's files; the message says which files and where to put them."""


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset: its name in the dataset's folder, sha256, size in bytes, and the
    URL a download takes it from (``None``: it cannot be downloaded, only staged)."""

    name: str
    sha256: str
    size: int | None = None
    url: str | None = None


def cache_dir(dataset: str) -> Path:
    root = os.environ.get("LANDMARK_DATA_DIR")
    base = Path(root) if root else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "landmark"
    return base / dataset


_hash_memo: dict[tuple[str, int, int], str] = {}


def sha256(path: Path) -> str:
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _hash_memo:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        _hash_memo[key] = h.hexdigest()
    return _hash_memo[key]


def find_files(
    dataset: str,
    files: Sequence[DataFile],
    data_dir: str | os.PathLike | None = None,
    system_dirs: Sequence[str | os.PathLike] = (),
) -> dict[str, Path]:
    """Return ``{file name: path}`` from the first folder holding every file with its checksum.

    Raises ``DataNotFound`` naming the files, their checksums, the folders searched and any
    copy that failed its checksum.
    """
    candidates: list[Path] = []
    if data_dir:
        d = Path(data_dir).expanduser()
        candidates += [d, d / dataset]
    candidates.append(cache_dir(dataset))
    candidates += [Path(s) for s in system_dirs]
    bad: list[str] = []
    for folder in candidates:
        found: dict[str, Path] = {}
        for f in files:
            p = folder / f.name
            if not p.is_file():
                break
            if sha256(p) != f.sha256:
                bad.append(f"{p} (sha256 {sha256(p)[:12]}..., expected {f.sha256[:12]}...)")
                break
            found[f.name] = p
        else:
            return found
    lines = [f"dataset {dataset!r} not found. It needs these files in one folder:"]
    lines += [f"  {f.name}  sha256 {f.sha256}" for f in files]
    lines.append("searched: " + ", ".join(str(c) for c in candidates))
    if bad:
        lines.append("rejected (checksum mismatch, never used): " + "; ".join(bad))
    lines.append(
        f"put them in {cache_dir(dataset)} (or set data_dir in the config, or LANDMARK_DATA_DIR to a folder "
        f"holding {dataset}/)"
    )
    raise DataNotFound("\n".join(lines))


class TensorBatches:
    """Mini-batches of in-memory tensors, by indexing: no per-sample Python, no collate.

    Each pass over it is one epoch: the order is a permutation drawn from ``seed`` and the
    epoch number, so it is the same on every run and every rank. Under DDP, rank ``r`` of
    ``world_size`` takes every ``world_size``-th index, the list padded by wrapping so all
    ranks get the same number of batches (what ``DistributedSampler`` does). The epoch and the
    position within it are in ``state_dict``, so a resumed run carries on with the same order.
    """

    def __init__(
        self,
        tensors: Sequence[torch.Tensor],
        batch_size: int,
        shuffle: bool = False,
        seed: int = 0,
        drop_last: bool = False,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        n = len(tensors[0])
        if any(len(t) != n for t in tensors):
            raise ValueError("all tensors must have the same first dimension")
        self.tensors = tuple(tensors)
        self.batch_size, self.shuffle, self.seed, self.drop_last = batch_size, shuffle, seed, drop_last
        self.rank, self.world_size = rank, world_size
        self.epoch = 0  # the epoch being (or last) served
        self._started = False  # has an epoch been served since construction or load?
        self._resume_at: int | None = None  # from load_state_dict: serve self.epoch from this batch
        self._yielded = 0
        self._per_rank = math.ceil(n / world_size)

    def __len__(self) -> int:
        return self._per_rank // self.batch_size if self.drop_last else math.ceil(self._per_rank / self.batch_size)

    def _indices(self) -> torch.Tensor | None:
        n = len(self.tensors[0])
        if not self.shuffle and self.world_size == 1:
            return None
        if self.shuffle:
            g = torch.Generator().manual_seed(self.seed + self.epoch)
            idx = torch.randperm(n, generator=g)
        else:
            idx = torch.arange(n)
        total = self._per_rank * self.world_size
        if total > n:
            idx = torch.cat([idx, idx[: total - n]])
        return idx[self.rank :: self.world_size]

    def __iter__(self) -> Iterator[tuple[torch.Tensor, ...]]:
        # A new pass is a new epoch, whether or not the previous one was drawn to its end
        # (Lightning stops after len() batches without exhausting the iterator).
        if self._resume_at is not None:
            start, self._resume_at = self._resume_at, None
        else:
            if self._started:
                self.epoch += 1
            start = 0
        self._started = True
        idx = self._indices()
        self._yielded = start
        for b in range(start, len(self)):
            lo, hi = b * self.batch_size, min((b + 1) * self.batch_size, self._per_rank)
            if idx is None:
                batch = tuple(t[lo:hi] for t in self.tensors)
            else:
                sel = idx[lo:hi]
                batch = tuple(t[sel] for t in self.tensors)
            self._yielded = b + 1
            yield batch

    def state_dict(self) -> dict[str, int]:
        return {"epoch": self.epoch, "batches_seen": self._yielded}

    def load_state_dict(self, state: dict[str, int]) -> None:
        epoch, seen = int(state["epoch"]), int(state.get("batches_seen", 0))
        if seen >= len(self):  # saved at the end of an epoch: the next pass is the next epoch
            epoch, seen = epoch + 1, 0
        self.epoch, self._resume_at, self._started = epoch, seen, True
