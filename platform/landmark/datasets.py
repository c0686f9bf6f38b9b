"""Datasets as declarations: which files, their checksums, where they come from.

A DataModule module declares each dataset it reads as a ``Dataset`` and registers it under the
entry-point group ``landmark.datasets`` (as plugins are registered under ``landmark.plugins``),
so ``landmark data list|fetch|verify|stage`` knows every installed dataset without the core
naming one::

    [project.entry-points."landmark.datasets"]
    usps = "landmark.datamodules.usps:DATASET"

Resolution order for a dataset's files (DESIGN.md, "Data"), used by every DataModule through
``Dataset.locate``: the config's ``data_dir``; the cache (``$LANDMARK_DATA_DIR/<name>``, else
``~/.cache/landmark/<name>``); the dataset's known system locations (e.g. Debian's
``dataset-fashion-mnist``); a download with sha256 check when the dataset has URLs and
``download=True``. A file is only ever used when its sha256 matches.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Sequence

from landmark.data import DataFile, DataNotFound, cache_dir, find_files

__all__ = ["Dataset", "GROUP", "installed_datasets", "DataFile", "DataNotFound"]

GROUP = "landmark.datasets"


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
        size: human-readable size of the data (files or generated task).
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

    def cache(self) -> Path:
        return cache_dir(self.name)

    def locate(self, data_dir: str | os.PathLike | None = None) -> dict[str, Path]:
        """``{file name: path}`` of verified files; raises ``DataNotFound`` saying what to do."""
        if self.generated:
            return {}
        return find_files(self.name, self.files, data_dir, self.system_dirs)


def installed_datasets() -> dict[str, Dataset]:
    """Every dataset registered under ``landmark.datasets`` (a broken entry is skipped)."""
    found: dict[str, Dataset] = {}
    for ep in entry_points(group=GROUP):
        try:
            obj = ep.load()
        except Exception:
            continue
        items: Sequence = obj if isinstance(obj, (list, tuple)) else [obj]
        for d in items:
            if isinstance(d, Dataset):
                found[d.name] = d
    return dict(sorted(found.items()))
