"""``landmark data list|fetch|verify|stage``: in process through ``landmark.cli.main`` (exit codes,
stdout, ``landmark: error: ...`` on stderr), and through the real console script for ``list``.

The datasets come from a fake installed distribution (a dist-info folder on ``sys.path`` or
``PYTHONPATH`` whose ``landmark.datasets`` entry points name a test module), so they are found
exactly as a real package's are. Files are real ones from ../shared/data, which is only read.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from data_fixtures import (  # noqa: F401 (fixtures)
    MNIST_LABELS,
    cache,
    dataset_distribution,
    dead_url,
    fake_module,
    http_server,
    leftovers,
    mnist_dir,
    unwritable_root,
)
from landmark.cli import USAGE, main
from landmark.datasets import DEBIAN_FASHION_MNIST_DIR, DEBIAN_FASHION_MNIST_SHA256, installed_datasets

T10K = "t10k-labels-idx1-ubyte.gz"
TRAIN = "train-labels-idx1-ubyte.gz"
EPS = {
    "both": "landmark_test_datasets:BOTH",
    "toy": "landmark_test_datasets:TOY",
    "fashion": "landmark_test_datasets:FASHION",
}


@pytest.fixture
def installed(dataset_distribution, monkeypatch):
    """``installed(url=None)``: install the test datasets in this process (their files served
    from ``url``); returns the site folder."""

    def install(url: str | None = None) -> Path:
        site = dataset_distribution(EPS, url)
        monkeypatch.syspath_prepend(str(site))
        return site

    return install


def landmark(capsys, *args: str) -> tuple[int, str, str]:
    """``landmark ARGS`` in this process: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return info.value.code, out, err


def failed(code: int, err: str) -> str:
    assert code == 2, err
    assert "Traceback" not in err, err
    lines = err.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("landmark: error: ")), None)
    assert start is not None, err
    return "\n".join(lines[start:])


# --- list ---------------------------------------------------------------------------------------


def console_script() -> list[str]:
    beside = Path(sys.executable).with_name("landmark")
    return [str(beside)] if beside.is_file() else [sys.executable, "-m", "landmark"]


def entries(listing: str) -> dict[str, str]:
    """`landmark data list` output -> {name: its line, plus its indented detail line if any}."""
    out: dict[str, str] = {}
    name = None
    for line in listing.splitlines():
        if not line.strip() or line.startswith("cache:"):
            continue
        if line[0].isspace() and name:
            out[name] += "  |  " + line.strip()
        else:
            name = line.split()[0]
            out[name] = line
    return out


def test_list_through_the_console_script(dataset_distribution, cache, mnist_dir, shared_data, tmp_path):
    site = dataset_distribution({**EPS, "broken": "landmark_no_such_module:X"})
    shutil.copytree(mnist_dir, cache / "mnist-labels")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
    env.update(PYTHONPATH=str(site), PYTHONWARNINGS="ignore", CUDA_VISIBLE_DEVICES="", LANDMARK_DATA_DIR=str(cache))

    def run(args: list[str]) -> subprocess.CompletedProcess:
        return subprocess.run(console_script() + args, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)

    with ThreadPoolExecutor(max_workers=2) as pool:
        listing, typo = pool.map(run, [["data", "list", "--data_dir", str(shared_data / "usps")], ["data", "fetch", "usps-tes"]])
    assert listing.returncode == 0, listing.stdout + listing.stderr
    lines = entries(listing.stdout)
    assert lines["mnist-labels"].split()[1:] == ["cache", "33.4", "kB", "|", str(cache / "mnist-labels")]
    assert lines["usps-test"].split()[1:] == ["data_dir", "439.2", "kB", "|", str(shared_data / "usps")]
    assert lines["toy-task"].split()[1:] == ["generated", "256", "samples"]
    assert lines["fashion-debian"].startswith("fashion-debian") and "system" in lines["fashion-debian"]
    assert lines["fashion-debian"].endswith(f"|  {DEBIAN_FASHION_MNIST_DIR}")
    assert f"cache: {cache}" in listing.stdout
    # the datasets the project's DataModules register are listed too
    for name in installed_datasets():
        assert name in lines, listing.stdout
    assert "landmark: warning: dataset 'broken' from landmark-test-datasets skipped: import failed" in listing.stderr

    assert typo.returncode == 2
    assert "\nlandmark: error: unknown dataset 'usps-tes'; did you mean usps-test" in typo.stderr
    assert "Traceback" not in typo.stderr


def test_list_says_what_is_missing_and_how_to_get_it(installed, cache, capsys, tmp_path):
    installed("http://127.0.0.1:9")
    (cache / "usps-test").mkdir(parents=True)
    (cache / "usps-test" / "zip.test.gz").write_bytes(b"not the digits")
    code, out, err = landmark(capsys, "data", "list")
    assert code == 0, err
    lines = entries(out)
    assert "missing" in lines["mnist-labels"].split()
    assert lines["mnist-labels"].endswith(
        "get it: landmark data fetch mnist-labels or landmark data stage mnist-labels --from DIR"
    )
    assert "missing" in lines["usps-test"].split()
    assert "get it: landmark data stage usps-test --from DIR" in lines["usps-test"]
    assert f"rejected {cache / 'usps-test' / 'zip.test.gz'}: checksum mismatch: 14 bytes, expected 439208" in out

    code, out, _ = landmark(capsys, "data", "list", "--json")
    rows = {r["name"]: r for r in json.loads(out)["datasets"]}
    assert rows["mnist-labels"]["status"] == "missing" and rows["mnist-labels"]["bytes"] == 4542 + 28881
    assert rows["toy-task"]["status"] == "generated" and rows["toy-task"]["size"] == "256 samples"
    assert rows["fashion-debian"]["status"] == "system"


# --- fetch --------------------------------------------------------------------------------------


def test_fetch_downloads_and_checks_into_the_cache(installed, cache, capsys, http_server, shared_data):
    for name in MNIST_LABELS:
        http_server.files[f"/{name}"] = (shared_data / "mnist" / name).read_bytes()
    installed(http_server.url)
    code, out, err = landmark(capsys, "data", "fetch", "mnist-labels", "toy-task")
    assert code == 0, err
    folder = cache / "mnist-labels"
    assert f"mnist-labels: downloading {T10K} (4.5 kB) from {http_server.url}/{T10K}" in out
    assert f"mnist-labels: all 2 files are in the cache, {folder} (sha256 checked)" in out
    assert "toy-task: generated from a seed; nothing to fetch" in out
    assert leftovers(folder) == sorted(MNIST_LABELS)
    for name in MNIST_LABELS:
        assert (folder / name).read_bytes() == (shared_data / "mnist" / name).read_bytes()

    code, out, _ = landmark(capsys, "data", "fetch", "mnist-labels")
    assert code == 0 and f"mnist-labels: already in the cache, {folder} (2 files checked)" in out
    assert len(http_server.requests) == 2

    (folder / TRAIN).write_bytes(b"corrupt")  # a bad cache copy is fetched again
    code, out, _ = landmark(capsys, "data", "fetch", "mnist-labels")
    assert code == 0 and http_server.requests[-1] == f"/{TRAIN}" and len(http_server.requests) == 3
    assert (folder / TRAIN).read_bytes() == (shared_data / "mnist" / TRAIN).read_bytes()


def test_fetch_copies_a_system_copy_for_an_offline_cluster(installed, cache, capsys):
    installed()
    code, out, err = landmark(capsys, "data", "fetch", "fashion-debian")
    assert code == 0, err
    for name in DEBIAN_FASHION_MNIST_SHA256:
        assert f"fashion-debian: copying {name} from {DEBIAN_FASHION_MNIST_DIR}/{name}" in out
    assert leftovers(cache / "fashion-debian") == sorted(DEBIAN_FASHION_MNIST_SHA256)
    code, out, _ = landmark(capsys, "data", "list")
    assert entries(out)["fashion-debian"].split()[1] == "cache"
    assert entries(out)["fashion-debian"].endswith(f"|  {cache / 'fashion-debian'}")


def test_fetch_offline_fails_clearly_and_leaves_nothing(installed, cache, capsys, dead_url):
    installed(dead_url)
    code, out, err = landmark(capsys, "data", "fetch", "mnist-labels")
    failed(code, err)
    assert f"mnist-labels: could not download {T10K} from {dead_url}/{T10K}:" in err
    assert "Is this machine offline?" in err
    assert leftovers(cache) == []


def test_fetch_without_urls_points_to_stage(installed, cache, capsys):
    installed()
    code, _, err = landmark(capsys, "data", "fetch", "usps-test")
    failed(code, err)
    assert "usps-test: no download URL is known for zip.test.gz; they can only be staged" in err
    assert "landmark data stage usps-test --from DIR" in err
    assert leftovers(cache) == []


def test_fetch_needs_a_name(installed, capsys):
    installed()
    code, _, err = landmark(capsys, "data", "fetch")
    assert "which dataset? Give a NAME or --all" in failed(code, err)
    code, _, err = landmark(capsys, "data", "fetch", "toy", "--all")
    assert "give dataset names or --all, not both" in failed(code, err)


# --- verify -------------------------------------------------------------------------------------


def test_verify_checks_every_copy(installed, cache, capsys, mnist_dir, shared_data):
    installed()
    shutil.copytree(mnist_dir, cache / "mnist-labels")
    code, out, err = landmark(capsys, "data", "verify", "mnist-labels", "usps-test", "--data_dir", str(shared_data / "usps"))
    assert code == 0, err
    assert f"mnist-labels: cache {cache / 'mnist-labels'}: 2 of 2 files ok (used)" in out
    assert f"usps-test: data_dir {shared_data / 'usps'}: 1 of 1 files ok (used)" in out

    bad = cache / "mnist-labels" / TRAIN
    bad.write_bytes(bad.read_bytes()[:-10])
    code, out, err = landmark(capsys, "data", "verify")
    failed(code, err)
    assert f"mnist-labels: cache {cache / 'mnist-labels'}: 1 of 2 files ok, 1 BAD" in out
    assert f"BAD {bad}: checksum mismatch: 28871 bytes, expected 28881 (truncated" in out
    assert "usps-test: no copy found" in out  # not an error unless asked for by name
    assert f"1 file(s) failed their checksum and are never used: {bad} (mnist-labels)" in err
    assert "landmark data fetch NAME" in err and "landmark data stage NAME --from DIR" in err


def test_verify_of_a_missing_dataset_says_what_it_needs(installed, cache, capsys):
    installed()
    code, out, err = landmark(capsys, "data", "verify", "usps-test")
    failed(code, err)
    assert "dataset 'usps-test' not found. It needs these files in one folder:" in err
    assert "zip.test.gz  sha256 8dacc3c6e136af6c3488de9e5113a7daf140c8c2f1f0b61c54ee02f03f1a962f" in err


# --- stage --------------------------------------------------------------------------------------


def test_stage_finds_and_copies_a_users_files(installed, cache, capsys, shared_data):
    installed()
    before = leftovers(shared_data / "mnist")
    # The files lie in DIR/mnist/, a folder below DIR: stage looks there too.
    code, out, err = landmark(capsys, "data", "stage", "mnist-labels", "--from", str(shared_data))
    assert code == 0, err
    folder = cache / "mnist-labels"
    assert f"{T10K}: staged from {shared_data / 'mnist' / T10K}" in out
    assert f"mnist-labels: all 2 files are in the cache, {folder} (2 staged, 0 already there)" in out
    assert leftovers(folder) == sorted(MNIST_LABELS)
    assert leftovers(shared_data / "mnist") == before  # the source is only read
    code, out, _ = landmark(capsys, "data", "stage", "mnist-labels", "--from", str(shared_data / "mnist"))
    assert code == 0 and "(0 staged, 2 already there)" in out


def test_stage_refuses_a_corrupt_copy(installed, cache, capsys, mnist_dir):
    installed()
    bad = mnist_dir / TRAIN
    bad.write_bytes(bad.read_bytes()[:20000])
    code, out, err = landmark(capsys, "data", "stage", "mnist-labels", "--from", str(mnist_dir))
    failed(code, err)
    assert f"REFUSED {bad}: checksum mismatch: 20000 bytes, expected 28881 (truncated" in out
    assert "refused (checksum mismatch, never used)" in err and "nothing wrong was copied" in err
    assert f"{TRAIN}  sha256 {MNIST_LABELS[TRAIN][0]}, 28881 bytes" in err
    assert leftovers(cache / "mnist-labels") == [T10K]  # the good file, whole; never the bad one


def test_stage_reports_missing_files_and_bad_folders(installed, cache, capsys, tmp_path):
    installed()
    (tmp_path / "empty").mkdir()
    code, out, err = landmark(capsys, "data", "stage", "usps-test", "--from", str(tmp_path / "empty"))
    assert "not found under" in failed(code, err) and "zip.test.gz" in err
    code, _, err = landmark(capsys, "data", "stage", "usps-test", "--from", str(tmp_path / "nope"))
    assert f"--from {tmp_path / 'nope'}: not a folder" in failed(code, err)
    code, _, err = landmark(capsys, "data", "stage", "usps-test")
    assert "the following arguments are required: --from" in failed(code, err)
    assert leftovers(cache) == []


def test_stage_into_an_unwritable_cache(installed, capsys, mnist_dir, unwritable_root, monkeypatch):
    installed()
    monkeypatch.setenv("LANDMARK_DATA_DIR", str(unwritable_root))
    code, _, err = landmark(capsys, "data", "stage", "mnist-labels", "--from", str(mnist_dir))
    assert f"cannot write to the cache folder {unwritable_root / 'mnist-labels'}: Not a directory" in failed(code, err)


# --- the command itself -------------------------------------------------------------------------


def test_usage_and_bad_subcommands(installed, capsys):
    installed()
    code, out, _ = landmark(capsys, "data")
    assert code == 0 and out.startswith("usage: landmark data list")
    code, _, err = landmark(capsys, "data", "remove", "x")
    assert "invalid choice: 'remove'" in failed(code, err)
    code, _, err = landmark(capsys, "data", "stage", "nosuch", "--from", ".")
    assert "unknown dataset 'nosuch'" in failed(code, err) and "Installed datasets:" in err
    assert "landmark data list|fetch NAME|verify [NAME]|stage NAME --from DIR" in USAGE


# --- a training run whose data is missing ---------------------------------------------------------

NEEDS_DATA = '''
import lightning.pytorch as L
import torch
from landmark import PaperCard, Plugin
from landmark.data import DataFile
from landmark.datasets import Dataset

DATASET = Dataset("nowhere-data", (DataFile("x.bin", "0" * 64, 10, "{url}/x.bin"),))


class Model(L.LightningModule):
    def __init__(self, width: int = 2) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(width, 1)

    def training_step(self, batch, batch_idx):
        return self.layer(batch[0]).sum()

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


class Data(L.LightningDataModule):
    def __init__(self, data_dir: str | None = None, download: bool = False) -> None:
        super().__init__()
        self.data_dir, self.download = data_dir, download

    def prepare_data(self) -> None:
        DATASET.locate(self.data_dir, download=self.download)

    def train_dataloader(self):
        return [(torch.zeros(1, 2),)]


plugin = Plugin(name="needsdata", model=Model, datamodule=Data, card=PaperCard("t", "a", 2000, "v"))
'''


@pytest.mark.parametrize("download", [False, True])
def test_fit_reports_missing_data_as_a_usage_error(download, fake_module, cache, capsys, monkeypatch, tmp_path, dead_url):
    import importlib.metadata as md

    from landmark import cli
    from landmark.registry import discover

    name = fake_module(NEEDS_DATA.replace("{url}", dead_url))
    reg = discover([md.EntryPoint("needsdata", f"{name}:plugin", "landmark.plugins")])
    assert reg.names() == ["needsdata"], reg.broken
    monkeypatch.setattr(cli, "registry", lambda: reg)
    monkeypatch.chdir(tmp_path)
    args = ["fit", "--plugin", "needsdata", "--trainer.max_epochs", "1", "--trainer.logger", "false"]
    code, _, err = landmark(capsys, *args, "--data.download", str(download).lower())
    failed(code, err)
    assert "dataset 'nowhere-data' not found. It needs these files in one folder:" in err
    assert ("Is this machine offline?" in err) == download
    assert leftovers(cache) == []
