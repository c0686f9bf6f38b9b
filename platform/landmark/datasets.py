"""Datasets as declarations: which files, their checksums, where they come from.

A DataModule module declares each dataset it reads as a ``Dataset`` and registers it under the
entry-point group ``landmark.datasets`` (as plugins are registered under ``landmark.plugins``),
so ``landmark data list|fetch|verify|stage`` knows every installed dataset without the core
naming one::

    [project.entry-points."landmark.datasets"]
    usps = "landmark.datamodules.usps:DATASET"

An entry point may also hold a list or tuple of ``Dataset`` (a module that declares several).

Resolution order for a dataset's files (DESIGN.md, "Data"), used by every DataModule through
``Dataset.locate``: the config's ``data_dir``; the cache (``$LANDMARK_DATA_DIR/<name>``, else
``~/.cache/landmark/<name>``); the dataset's known system locations (e.g. Debian's
``dataset-fashion-mnist``); a download with sha256 check when the dataset has URLs and
``download=True``. A file is only ever used when its sha256 matches. See ``docs/data.md``.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Iterable, Sequence

from landmark.data import (
    CacheNotWritable,
    DataFile,
    DataNotFound,
    DownloadFailed,
    Search,
    cache_dir,
    check,
    find_files,
    human_size,
    search,
)

__all__ = [
    "Dataset",
    "GROUP",
    "BrokenDataset",
    "installed_datasets",
    "discover_datasets",
    "unknown_dataset_message",
    "DataFile",
    "DataNotFound",
    "CacheNotWritable",
    "DownloadFailed",
    "DEBIAN_FASHION_MNIST_DIR",
    "DEBIAN_FASHION_MNIST_SHA256",
    "FASHION_MNIST_FILES",
]

GROUP = "landmark.datasets"

# Debian's package `dataset-fashion-mnist` (0.0~git20200523.55506a9-1; `dpkg -L` lists them)
# installs the four IDX files here. Debian recompressed them without the original gzip header
# (file name, time stamp), so the bytes, and the sha256s below, differ from the upstream
# downloads while the decompressed IDX data is the same; a DataFile accepts them through
# `alt_sha256` (see FASHION_MNIST_FILES).
DEBIAN_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
DEBIAN_FASHION_MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",  # 26421856 B
    "train-labels-idx1-ubyte.gz": "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",  # 29491 B
    "t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",  # 4422079 B
    "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",  # 5125 B
}

# The upstream files (the mirror torchvision uses), with their sha256 and sizes as TensorFlow
# Datasets' url_checksums/fashion_mnist.txt lists them (torchvision lists MD5s of the same
# bytes), each also accepting Debian's recompressed copy.
_FASHION_MNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
FASHION_MNIST_FILES: tuple[DataFile, ...] = tuple(
    DataFile(name, sha, size, _FASHION_MNIST_URL + name, alt_sha256=(DEBIAN_FASHION_MNIST_SHA256[name],))
    for name, sha, size in (
        ("train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", 26421880),
        ("train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", 29515),
        ("t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", 4422102),
        ("t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", 5148),
    )
)


@dataclass(frozen=True)
class Dataset:
    """One dataset: its files (empty for generated tasks) and what a user needs to know of it.

    Args:
        name: short name, the cache sub-folder and what ``landmark data fetch NAME`` takes.
        files: the files, each with its sha256 (and size, and a download URL where one exists).
        title: one line saying what it is.
        source: where it comes from (home page or repository).
        license: its license, as its source states it.
        citation: the paper to cite.
        system_dirs: folders where a system package installs the files.
        generated: True for tasks generated from a seed (nothing to fetch).
        size: human-readable size of the data (files or generated task); by default the sum
            of the files' sizes.
        hint: one more way to get the files, shown when they are not found (e.g. the system
            package that installs them).
    """

    name: str
    files: tuple[DataFile, ...] = ()
    title: str = ""
    source: str = ""
    license: str = ""
    citation: str = ""
    system_dirs: tuple[str, ...] = ()
    generated: bool = False
    size: str = ""
    extra: dict = field(default_factory=dict, compare=False)
    hint: str = ""

    def cache(self) -> Path:
        return cache_dir(self.name)

    @property
    def nbytes(self) -> int | None:
        """Total size of the files in bytes (``None`` if a file's size is not declared)."""
        sizes = [f.size for f in self.files]
        return None if any(s is None for s in sizes) else sum(sizes)

    def size_text(self) -> str:
        if self.size:
            return self.size
        if self.generated:
            return "generated"
        return human_size(self.nbytes)

    def file(self, name: str) -> DataFile:
        for f in self.files:
            if f.name == name:
                return f
        raise KeyError(f"dataset {self.name!r} has no file {name!r}; its files: {', '.join(f.name for f in self.files)}")

    def search(self, data_dir: str | os.PathLike | None = None) -> Search:
        """Where the files are (data_dir, cache, system folders), without writing anything."""
        return search(self.name, self.files, data_dir, self.system_dirs)

    def locate(
        self, data_dir: str | os.PathLike | None = None, download: bool = False, timeout: float = 60.0
    ) -> dict[str, Path]:
        """``{file name: path}`` of verified files; raises ``DataNotFound`` saying what to do.

        With ``download=True`` the files missing from every folder are downloaded into the
        cache (checked, renamed into place atomically; a bad cache copy is replaced).
        """
        if self.generated:
            return {}
        return find_files(self.name, self.files, data_dir, self.system_dirs, download, self.hint, timeout)

    def missing_from_cache(self) -> list[DataFile]:
        """The files the cache lacks (or holds a bad copy of)."""
        return [f for f in self.files if check(self.cache() / f.name, f) is not None]


@dataclass(frozen=True)
class BrokenDataset:
    name: str
    distribution: str
    reason: str


def _dist(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return dist.metadata["Name"] if dist is not None else "?"


def discover_datasets(eps: Iterable[EntryPoint] | None = None) -> tuple[dict[str, Dataset], list[BrokenDataset]]:
    """Load every entry point of ``landmark.datasets`` (``eps`` replaces the installed ones in
    tests): the datasets by name, and the entries that could not be used, with the reason.
    Duplicate names are errors: neither copy is kept."""
    if eps is None:
        eps = entry_points(group=GROUP)
    found: dict[str, Dataset] = {}
    origin: dict[str, str] = {}
    broken: list[BrokenDataset] = []
    duplicated: set[str] = set()
    for ep in sorted(eps, key=lambda e: e.name):
        dist = _dist(ep)
        try:
            obj = ep.load()
        except (Exception, SystemExit) as e:  # a broken module is reported, never fatal
            broken.append(BrokenDataset(ep.name, dist, f"import failed: {type(e).__name__}: {e}"))
            continue
        items: Sequence = obj if isinstance(obj, (list, tuple)) else [obj]
        for d in items:
            if not isinstance(d, Dataset):
                broken.append(BrokenDataset(ep.name, dist, f"{ep.value} holds a {type(d).__name__}, not a landmark Dataset"))
                continue
            if d.name in found or d.name in duplicated:
                if d.name in found and found[d.name] == d and origin[d.name] == dist:
                    continue  # the same declaration reached through two entry points
                broken.append(BrokenDataset(d.name, dist, f"duplicate dataset name {d.name!r} (also in {origin[d.name]})"))
                if found.pop(d.name, None) is not None:
                    broken.append(BrokenDataset(d.name, origin[d.name], f"duplicate dataset name {d.name!r} (also in {dist})"))
                duplicated.add(d.name)
                continue
            found[d.name] = d
            origin[d.name] = dist
    return dict(sorted(found.items())), broken


def installed_datasets() -> dict[str, Dataset]:
    """Every dataset registered under ``landmark.datasets`` (a broken entry is skipped;
    ``discover_datasets`` says why)."""
    return discover_datasets()[0]


def unknown_dataset_message(name: str, known: Iterable[str]) -> str:
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(close)}?" if close else "."
    return f"unknown dataset {name!r}{hint} Installed datasets: {', '.join(known) or 'none'} (see `landmark data list`)"
