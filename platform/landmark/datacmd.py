"""``landmark data``: the installed datasets, where their files are, and getting them there.

    landmark data list [--data_dir DIR] [--json]     each dataset: size, where found, or missing
    landmark data fetch NAME [NAME ...] | --all      download (and check) into the cache
    landmark data verify [NAME ...] [--data_dir DIR] check the sha256 of every copy found
    landmark data stage NAME --from DIR              copy a user's files into the cache, checked

The datasets are those registered under the entry-point group ``landmark.datasets``
(``landmark.datasets.Dataset``). The cache is ``$LANDMARK_DATA_DIR/<name>`` (else
``~/.cache/landmark/<name>``): on a cluster, point ``LANDMARK_DATA_DIR`` at the shared
filesystem, ``fetch`` or ``stage`` on the login node, and the compute nodes find the files
there with no network. Every failure is a ``UsageError``: ``landmark: error: ...``, exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Iterator

from landmark import datasets as registry
from landmark.data import (
    DataFile,
    DataNotFound,
    cache_dir,
    check,
    copy_file,
    download_file,
    human_size,
    not_found_message,
)
from landmark.datasets import Dataset
from landmark.errors import UsageError

__all__ = ["data_command", "USAGE"]

USAGE = """\
usage: landmark data list [--data_dir DIR] [--json]
       landmark data fetch NAME [NAME ...] | --all
       landmark data verify [NAME ...] [--data_dir DIR]
       landmark data stage NAME --from DIR

  list     each installed dataset: its size, where its files were found (data_dir, cache or a
           system folder), that it is missing, or that it is generated from a seed
  fetch    download every file into the cache and check its sha256 (run it on a login node
           before a cluster job; a verified copy in a system folder is copied instead)
  verify   check the sha256 of every copy found, in data_dir, the cache and system folders
  stage    copy files you already have from DIR (or DIR/NAME, or a folder below) into the
           cache, checking each; a wrong copy is refused
The cache is $LANDMARK_DATA_DIR/NAME, else ~/.cache/landmark/NAME.
"""

# How deep `stage --from DIR` looks for files under DIR (torchvision keeps MNIST in ROOT/MNIST/raw/).
_STAGE_DEPTH = 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print and exit; the CLI reports it as a usage error
        raise UsageError(f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="landmark data", description="The installed datasets and their files.", add_help=True)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="{list,fetch,verify,stage}")
    p = sub.add_parser("list", help="each dataset, its size and where it was found")
    p.add_argument("--data_dir", "--data-dir", metavar="DIR", help="look here first, as a config's data_dir")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = sub.add_parser("fetch", help="download the files into the cache, checking each")
    p.add_argument("names", nargs="*", metavar="NAME")
    p.add_argument("--all", action="store_true", help="every installed dataset")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the server (default 60)")
    p = sub.add_parser("verify", help="check the sha256 of every copy found")
    p.add_argument("names", nargs="*", metavar="NAME")
    p.add_argument("--data_dir", "--data-dir", metavar="DIR", help="check this folder too, as a config's data_dir")
    p = sub.add_parser("stage", help="copy files you have into the cache, checking each")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--from", dest="source", metavar="DIR", required=True, help="the folder holding the files")
    return parser


def data_command(args: list[str]) -> int:
    """``landmark data ...``; returns the exit code, raises ``UsageError`` for every failure."""
    if not args or args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    try:
        ns = _parser().parse_args(args)
    except SystemExit as e:  # --help of a subcommand
        return int(e.code or 0)
    found, broken = registry.discover_datasets()
    for b in broken:
        print(f"landmark: warning: dataset {b.name!r} from {b.distribution} skipped: {b.reason}", file=sys.stderr)
    try:
        if ns.command == "list":
            return _list(found, ns.data_dir, ns.json)
        if ns.command == "fetch":
            return _fetch(_pick(found, ns.names, ns.all, "fetch"), ns.timeout)
        if ns.command == "verify":
            return _verify(_pick(found, ns.names, not ns.names, "verify"), ns.data_dir, named=bool(ns.names))
        return _stage(_pick(found, [ns.name], False, "stage")[0], Path(ns.source).expanduser())
    except DataNotFound as e:
        raise UsageError(str(e)) from None


def _pick(found: dict[str, Dataset], names: list[str], everything: bool, command: str) -> list[Dataset]:
    if everything:
        if names:
            raise UsageError(f"landmark data {command}: give dataset names or --all, not both")
        return list(found.values())
    if not names:
        raise UsageError(f"landmark data {command}: which dataset? Give a NAME or --all (see `landmark data list`)")
    for n in names:
        if n not in found:
            raise UsageError(registry.unknown_dataset_message(n, found))
    return [found[n] for n in dict.fromkeys(names)]


# --- list ---------------------------------------------------------------------------------------


def _status(d: Dataset, data_dir: str | None) -> dict:
    row = {"name": d.name, "title": d.title, "size": d.size_text(), "bytes": d.nbytes, "files": len(d.files)}
    if d.generated:
        return {**row, "status": "generated", "folder": None}
    s = d.search(data_dir)
    if s.found:
        return {**row, "status": s.where, "folder": str(s.folder)}
    rejected = [f"{p}: {why}" for p, why in s.rejected]
    return {**row, "status": "missing", "folder": None, "rejected": rejected, "cache": str(d.cache())}


def _list(found: dict[str, Dataset], data_dir: str | None, as_json: bool) -> int:
    rows = [_status(d, data_dir) for d in found.values()]
    if as_json:
        print(json.dumps({"cache": str(cache_dir("")), "datasets": rows}, indent=2))
        return 0
    if not rows:
        print(f"no datasets installed (entry-point group {registry.GROUP!r})")
        return 0
    width = max(len(r["name"]) for r in rows)
    pad = " " * (width + 2)
    for r in rows:
        if r["status"] == "generated":
            # A generated task's size is a description ("generated: 20,000 pairs ..."): no files.
            what = r["size"].removeprefix("generated").lstrip(": ") if r["size"] != "generated" else ""
            print(f"{r['name']:<{width}}  generated  {what or 'from a seed; nothing to fetch'}")
            continue
        print(f"{r['name']:<{width}}  {r['status']:<9}  {r['size']}")
        if r["status"] == "missing":
            how = f"landmark data fetch {r['name']}" if _downloadable(found[r["name"]]) else ""
            how = f"{how + ' or ' if how else ''}landmark data stage {r['name']} --from DIR"
            print(f"{pad}get it: {how}")
            for line in r["rejected"]:
                print(f"{pad}rejected {line}")
        else:
            print(f"{pad}{r['folder']}")
    print(f"cache: {cache_dir('')}  (set LANDMARK_DATA_DIR to move it)")
    return 0


def _downloadable(d: Dataset) -> bool:
    return bool(d.files) and all(f.url for f in d.files)


# --- fetch --------------------------------------------------------------------------------------


def _progress(name: str):
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int | None) -> None:
        of = f" of {human_size(total)}" if total else ""
        end = "\n" if total and done >= total else ""
        print(f"\r  {name}: {human_size(done)}{of}", end=end, file=sys.stderr, flush=True)

    return show


def _system_copy(d: Dataset, f: DataFile) -> Path | None:
    for folder in d.system_dirs:
        p = Path(folder) / f.name
        if check(p, f) is None:
            return p
    return None


def _fetch(picked: list[Dataset], timeout: float) -> int:
    problems: list[str] = []
    for d in picked:
        if d.generated:
            print(f"{d.name}: generated from a seed; nothing to fetch")
            continue
        cache = d.cache()
        needed = d.missing_from_cache()
        if not needed:
            print(f"{d.name}: already in the cache, {cache} ({len(d.files)} files checked)")
            continue
        no_url: list[DataFile] = []
        failed = False
        for f in needed:
            local = _system_copy(d, f)
            try:
                if local is not None:
                    print(f"{d.name}: copying {f.name} from {local}")
                    copy_file(local, f, cache)
                elif f.url:
                    print(f"{d.name}: downloading {f.name} ({human_size(f.size)}) from {f.url}")
                    download_file(f, cache, timeout=timeout, progress=_progress(f.name))
                else:
                    no_url.append(f)
            except DataNotFound as e:
                problems.append(not_found_message(d.name, d.files, d.search(), headline=f"{d.name}: {e}", hint=d.hint))
                failed = True
                break  # the next file would most likely fail the same way (offline, cache unwritable)
        if no_url:
            problems.append(
                not_found_message(
                    d.name, d.files, d.search(), hint=d.hint,
                    headline=f"{d.name}: no download URL is known for {', '.join(f.name for f in no_url)}; "
                    "they can only be staged.",
                )
            )
        elif not failed:
            print(f"{d.name}: all {len(d.files)} files are in the cache, {cache} (sha256 checked)")
    if problems:
        raise UsageError("\n".join(problems))
    return 0


# --- verify -------------------------------------------------------------------------------------


def _verify(picked: list[Dataset], data_dir: str | None, named: bool) -> int:
    bad: list[str] = []
    unusable: list[str] = []
    for d in picked:
        if d.generated:
            print(f"{d.name}: generated from a seed; nothing to verify")
            continue
        s = d.search(data_dir)
        seen: set[Path] = set()
        copies = 0
        for where, folder in s.candidates:
            if folder in seen:
                continue
            seen.add(folder)
            results = [(f, folder / f.name, check(folder / f.name, f)) for f in d.files]
            present = [r for r in results if r[2] != "missing"]
            if not present:
                continue
            copies += 1
            ok = sum(1 for r in present if r[2] is None)
            wrong = [r for r in present if r[2] is not None]
            absent = len(results) - len(present)
            summary = f"{ok} of {len(d.files)} files ok" + (f", {len(wrong)} BAD" if wrong else "")
            summary += f", {absent} missing" if absent else ""
            used = " (used)" if s.folder == folder else ""
            print(f"{d.name}: {where} {folder}: {summary}{used}")
            for f, p, why in wrong:
                print(f"  BAD {p}: {why}")
                bad.append(f"{p} ({d.name})")
        if copies == 0:
            how = f"landmark data fetch {d.name}, or " if _downloadable(d) else "landmark data "
            print(f"{d.name}: no copy found ({how}stage {d.name} --from DIR)")
        if not s.found and named:
            unusable.append(not_found_message(d.name, d.files, s, hint=d.hint))
    if bad or unusable:
        lines = []
        if bad:
            lines.append(
                f"{len(bad)} file(s) failed their checksum and are never used: {', '.join(bad)}. "
                "Replace them with `landmark data fetch NAME` or `landmark data stage NAME --from DIR`."
            )
        lines += unusable
        raise UsageError("\n".join(lines))
    return 0


# --- stage --------------------------------------------------------------------------------------


def _folders_below(root: Path, depth: int) -> Iterator[Path]:
    for dirpath, dirnames, _ in os.walk(root):
        here = Path(dirpath)
        if len(here.relative_to(root).parts) >= depth:
            dirnames.clear()
        dirnames.sort()
        yield here


def _stage(d: Dataset, source: Path) -> int:
    if d.generated:
        print(f"{d.name}: generated from a seed; nothing to stage")
        return 0
    if not source.is_dir():
        raise UsageError(f"landmark data stage {d.name}: --from {source}: not a folder")
    cache = d.cache()
    first = [source, source / d.name]
    below: list[Path] | None = None  # the folders under source, listed only when needed
    staged = kept = 0
    refused: list[str] = []
    missing: list[DataFile] = []
    for f in d.files:
        candidates = [folder / f.name for folder in first if (folder / f.name).is_file()]
        if not candidates:
            if below is None:
                below = [p for p in _folders_below(source, _STAGE_DEPTH) if p not in first]
            candidates = [folder / f.name for folder in below if (folder / f.name).is_file()]
        good = next((p for p in candidates if check(p, f) is None), None)
        if good is None:
            if candidates:
                for p in candidates:
                    refused.append(f"{p}: {check(p, f)}")
                    print(f"  REFUSED {p}: {check(p, f)}")
            else:
                missing.append(f)
                print(f"  missing {f.name} (not in {source})")
            continue
        dest = cache / f.name
        if check(dest, f) is None:
            kept += 1
            print(f"  {f.name}: already in the cache")
            continue
        copy_file(good, f, cache)
        staged += 1
        print(f"  {f.name}: staged from {good}")
    if refused or missing:
        lines = [f"landmark data stage {d.name}: {len(refused) + len(missing)} problem(s); nothing wrong was copied."]
        if refused:
            lines.append("refused (checksum mismatch, never used): " + "; ".join(refused))
        if missing:
            lines.append("not found under " + str(source) + ": " + ", ".join(f.name for f in missing))
        if staged or kept:
            lines.append(f"the cache {cache} holds the {staged + kept} good file(s).")
        lines.append("the dataset needs:")
        lines += [f"  {f.name}  sha256 {f.sha256}" + (f", {f.size} bytes" if f.size else "") for f in d.files]
        raise UsageError("\n".join(lines))
    print(f"{d.name}: all {len(d.files)} files are in the cache, {cache} ({staged} staged, {kept} already there)")
    return 0
