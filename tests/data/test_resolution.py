"""How a dataset's files are found: data_dir, the cache, system folders, then a checked download.

Real files from ../shared/data (read-only there; copied into temporary folders wherever a test
must write or spoil one), a local HTTP server for downloads, and the failures a user meets: a
truncated file, a wrong checksum, a missing file, an unwritable cache folder, no network. Each
gives its own clear message and leaves nothing half-done in the cache.
"""

from __future__ import annotations

import gzip
import importlib.metadata as md
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from data_fixtures import (  # noqa: F401 (fixtures)
    MNIST_LABELS,
    USPS_TEST,
    cache,
    dataset_distribution,
    dead_url,
    digest,
    fake_module,
    http_server,
    leftovers,
    mnist_dir,
    mnist_label_files,
    unwritable_root,
)
from landmark.data import CacheNotWritable, DataFile, DataNotFound, DownloadFailed
from landmark.datasets import (
    DEBIAN_FASHION_MNIST_DIR,
    DEBIAN_FASHION_MNIST_SHA256,
    FASHION_MNIST_FILES,
    GROUP,
    Dataset,
    discover_datasets,
    installed_datasets,
)

T10K = "t10k-labels-idx1-ubyte.gz"
TRAIN = "train-labels-idx1-ubyte.gz"


def labels_dataset(url: str | None = None, **kw) -> Dataset:
    return Dataset("mnist-labels", mnist_label_files(url), **kw)


def copy_of(src: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in MNIST_LABELS:
        shutil.copyfile(src / name, folder / name)
    return folder


def serve_labels(server, shared_data: Path) -> None:
    for name in MNIST_LABELS:
        server.files[f"/{name}"] = (shared_data / "mnist" / name).read_bytes()


# --- the order: data_dir, cache, system folders, download -----------------------------------------


def test_resolution_order(shared_data, mnist_dir, cache, tmp_path, http_server):
    serve_labels(http_server, shared_data)
    d = labels_dataset(http_server.url, system_dirs=(str(tmp_path / "system"),))
    in_cache = copy_of(mnist_dir, cache / "mnist-labels")
    in_system = copy_of(mnist_dir, tmp_path / "system")

    assert d.locate(data_dir=mnist_dir, download=True) == {n: mnist_dir / n for n in MNIST_LABELS}
    assert d.search(mnist_dir).where == "data_dir"
    assert d.locate(download=True) == {n: in_cache / n for n in MNIST_LABELS}
    assert d.search().where == "cache"
    shutil.rmtree(in_cache)
    assert d.locate(download=True) == {n: in_system / n for n in MNIST_LABELS}
    assert d.search().where == "system"
    shutil.rmtree(in_system)
    assert http_server.requests == []  # a download is the last resort
    assert d.locate(download=True) == {n: cache / "mnist-labels" / n for n in MNIST_LABELS}
    assert sorted(http_server.requests) == sorted(f"/{n}" for n in MNIST_LABELS)


def test_the_shared_folder_as_cache_is_only_read(shared_data, monkeypatch):
    monkeypatch.setenv("LANDMARK_DATA_DIR", str(shared_data))
    d = Dataset("usps", (DataFile(*USPS_TEST),))
    before = leftovers(shared_data / "usps")
    assert d.locate(download=True) == {"zip.test.gz": shared_data / "usps" / "zip.test.gz"}
    assert d.search().where == "cache" and leftovers(shared_data / "usps") == before


def test_data_dir_may_name_the_parent_of_the_dataset_folder(mnist_dir, cache, tmp_path):
    parent = tmp_path / "parent"
    copy_of(mnist_dir, parent / "mnist-labels")
    assert labels_dataset().locate(data_dir=parent) == {n: parent / "mnist-labels" / n for n in MNIST_LABELS}


def test_generated_tasks_need_no_files(cache):
    assert Dataset("xor", generated=True).locate(download=True) == {}
    assert not cache.exists()


def test_the_debian_fashion_mnist_files_are_found_in_their_system_folder(cache):
    folder = Path(DEBIAN_FASHION_MNIST_DIR)
    if not all((folder / n).is_file() for n in DEBIAN_FASHION_MNIST_SHA256):
        pytest.fail(
            f"the Debian package dataset-fashion-mnist is not installed (no IDX files in {folder}): "
            "`apt-get install dataset-fashion-mnist` (`make test` installs it)"
        )
    d = Dataset("fashion-mnist", FASHION_MNIST_FILES, system_dirs=(DEBIAN_FASHION_MNIST_DIR,))
    found = d.locate()
    assert d.search().where == "system"
    assert found == {n: folder / n for n in DEBIAN_FASHION_MNIST_SHA256}
    # They are Fashion-MNIST's IDX files: 60,000 training images of 28x28, labels 0..9.
    with gzip.open(found["train-images-idx3-ubyte.gz"]) as f:
        header = f.read(16)
    assert [int.from_bytes(header[i : i + 4], "big") for i in range(0, 16, 4)] == [0x803, 60000, 28, 28]
    with gzip.open(found["t10k-labels-idx1-ubyte.gz"]) as f:
        labels = f.read()[8:]
    assert len(labels) == 10000 and set(labels) == set(range(10))
    # Debian's copies are accepted as their own packaging, never as the upstream bytes.
    for f in FASHION_MNIST_FILES:
        assert f.sha256 != DEBIAN_FASHION_MNIST_SHA256[f.name] and f.accepts(DEBIAN_FASHION_MNIST_SHA256[f.name])


# --- bad copies are never used ------------------------------------------------------------------


def test_a_truncated_file_is_never_used(mnist_dir, cache, tmp_path):
    (cache / "mnist-labels").mkdir(parents=True)
    good = mnist_dir / TRAIN
    (cache / "mnist-labels" / TRAIN).write_bytes(good.read_bytes()[:1000])
    shutil.copyfile(mnist_dir / T10K, cache / "mnist-labels" / T10K)
    d = labels_dataset(system_dirs=(str(mnist_dir),))
    assert d.locate() == {n: mnist_dir / n for n in MNIST_LABELS}  # skips the cache's bad copy

    good.write_bytes(good.read_bytes()[:-1])  # now no folder holds a good copy
    with pytest.raises(DataNotFound) as info:
        d.locate()
    msg = str(info.value)
    assert "rejected copies (failed their check, never used):" in msg
    assert f"{cache / 'mnist-labels' / TRAIN}: checksum mismatch: 1000 bytes, expected 28881 (truncated" in msg
    assert f"{good}: checksum mismatch: 28880 bytes, expected 28881 (truncated" in msg


def test_a_wrong_file_with_the_right_name_is_never_used(shared_data, cache, tmp_path):
    folder = tmp_path / "mixed-up"
    folder.mkdir()
    shutil.copyfile(shared_data / "mnist" / T10K, folder / T10K)
    shutil.copyfile(shared_data / "mnist" / T10K, folder / TRAIN)  # the test labels under the train name
    with pytest.raises(DataNotFound) as info:
        labels_dataset().locate(data_dir=folder)
    msg = str(info.value)
    # Same size would not be enough: the sizes differ here, but the check is the sha256.
    assert f"{folder / TRAIN}: checksum mismatch" in msg
    assert str(folder / T10K) not in msg.split("rejected")[1]  # the good one is not blamed


def test_same_size_but_corrupt_is_caught_by_the_sha256(mnist_dir, cache):
    p = mnist_dir / T10K
    data = bytearray(p.read_bytes())
    data[100] ^= 0xFF
    p.write_bytes(bytes(data))
    with pytest.raises(DataNotFound) as info:
        labels_dataset().locate(data_dir=mnist_dir)
    msg = str(info.value)
    assert f"{p}: checksum mismatch: sha256 {digest(bytes(data))}, expected {MNIST_LABELS[T10K][0]}" in msg


def test_a_missing_file_says_what_is_needed_where_and_how(mnist_dir, cache, tmp_path):
    (mnist_dir / TRAIN).unlink()
    d = labels_dataset("https://example.org/mnist", system_dirs=(str(tmp_path / "nowhere"),))
    with pytest.raises(DataNotFound) as info:
        d.locate(data_dir=mnist_dir)
    msg = str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    assert msg.startswith("dataset 'mnist-labels' not found. It needs these files in one folder:")
    for name, (sha, size) in MNIST_LABELS.items():
        assert f"{name}  sha256 {sha}, {size} bytes  from https://example.org/mnist/{name}" in msg
    for folder in (mnist_dir, cache / "mnist-labels", tmp_path / "nowhere"):
        assert str(folder) in msg
    assert f"put them in {cache / 'mnist-labels'}" in msg
    assert "landmark data stage mnist-labels --from DIR" in msg
    assert "landmark data fetch mnist-labels" in msg
    assert "rejected" not in msg  # nothing was wrong, only missing
    assert not cache.exists()  # looking never writes


def test_files_without_a_url_can_only_be_staged(cache):
    d = labels_dataset(hint="or: apt-get install some-package")
    with pytest.raises(DataNotFound) as info:
        d.locate(download=True)
    msg = str(info.value)
    assert msg.startswith(f"cannot download {T10K}, {TRAIN}: no download URL is known")
    assert "landmark data stage mnist-labels --from DIR" in msg and "data fetch" not in msg
    assert "or: apt-get install some-package" in msg
    assert not cache.exists()


# --- downloads ----------------------------------------------------------------------------------


def test_a_download_is_checked_and_renamed_into_place(shared_data, cache, http_server, monkeypatch):
    serve_labels(http_server, shared_data)
    renames = []
    real_replace = os.replace

    def replace(src, dst):
        renames.append((Path(src), Path(dst)))
        assert Path(src).parent == Path(dst).parent  # same folder, so the rename is atomic
        assert Path(src).name.startswith(".") and Path(src).name.endswith(".part")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    found = labels_dataset(http_server.url).locate(download=True)
    folder = cache / "mnist-labels"
    assert found == {n: folder / n for n in MNIST_LABELS}
    for name in MNIST_LABELS:
        assert (folder / name).read_bytes() == (shared_data / "mnist" / name).read_bytes()
    assert sorted(dst.name for _, dst in renames) == sorted(MNIST_LABELS)
    assert leftovers(folder) == sorted(MNIST_LABELS)  # no temporary files left
    assert (folder / T10K).stat().st_mode & 0o044 == 0o044  # readable by others: a shared cache

    before = list(http_server.requests)
    labels_dataset(http_server.url).locate(download=True)
    assert http_server.requests == before  # found in the cache: nothing downloaded again


def test_only_what_the_cache_lacks_is_downloaded(shared_data, mnist_dir, cache, http_server):
    serve_labels(http_server, shared_data)
    (cache / "mnist-labels").mkdir(parents=True)
    shutil.copyfile(mnist_dir / T10K, cache / "mnist-labels" / T10K)
    labels_dataset(http_server.url).locate(download=True)
    assert http_server.requests == [f"/{TRAIN}"]


def test_a_bad_cache_copy_is_downloaded_again_and_replaced(shared_data, mnist_dir, cache, http_server):
    serve_labels(http_server, shared_data)
    folder = copy_of(mnist_dir, cache / "mnist-labels")
    (folder / TRAIN).write_bytes(b"truncated")
    found = labels_dataset(http_server.url).locate(download=True)
    assert http_server.requests == [f"/{TRAIN}"]
    assert found[TRAIN].read_bytes() == (shared_data / "mnist" / TRAIN).read_bytes()
    assert leftovers(folder) == sorted(MNIST_LABELS)


def test_a_download_with_the_wrong_checksum_is_deleted(shared_data, cache, http_server):
    serve_labels(http_server, shared_data)
    http_server.files[f"/{TRAIN}"] = (shared_data / "mnist" / T10K).read_bytes()  # the server has changed it
    with pytest.raises(DownloadFailed) as info:
        labels_dataset(http_server.url).locate(download=True)
    msg = str(info.value)
    assert f"downloaded {TRAIN} from {http_server.url}/{TRAIN}, but it is not the expected file" in msg
    assert f"expected {MNIST_LABELS[TRAIN][0]}" in msg and "it was deleted, never used" in msg
    assert "dataset 'mnist-labels' not found" in msg  # and what to do about it
    assert TRAIN not in leftovers(cache) and not any(p.endswith(".part") for p in leftovers(cache))


def test_a_download_cut_short_leaves_no_partial_file(shared_data, cache, http_server):
    serve_labels(http_server, shared_data)
    http_server.cut[f"/{TRAIN}"] = 5000
    with pytest.raises(DownloadFailed) as info:
        labels_dataset(http_server.url).locate(download=True)
    assert f"the download of {TRAIN} from {http_server.url}/{TRAIN} was cut short after 5000 bytes" in str(info.value)
    assert "the partial file was deleted" in str(info.value)
    assert leftovers(cache) in ([], ["mnist-labels", f"mnist-labels/{T10K}"])  # only complete, checked files


def test_http_errors_say_so(cache, http_server):
    with pytest.raises(DownloadFailed) as info:
        labels_dataset(http_server.url).locate(download=True)
    assert f"could not download {T10K} from {http_server.url}/{T10K}: HTTP 404" in str(info.value)
    assert leftovers(cache) == []  # the folders made for the download are gone again


def test_no_network_refused_connection(cache, dead_url):
    with pytest.raises(DownloadFailed) as info:
        labels_dataset(dead_url).locate(download=True)
    msg = str(info.value)
    assert f"could not download {T10K} from {dead_url}/{T10K}:" in msg and "refused" in msg
    assert "Is this machine offline?" in msg
    assert "landmark data fetch mnist-labels" in msg and "landmark data stage mnist-labels --from DIR" in msg
    assert leftovers(cache) == []


def test_no_network_no_name_resolution(cache, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError(OSError(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DownloadFailed) as info:
        labels_dataset("https://example.org/mnist").locate(download=True)
    assert "Temporary failure in name resolution. Is this machine offline?" in str(info.value)
    assert leftovers(cache) == []


def test_an_unwritable_cache_folder(unwritable_root, monkeypatch, http_server, shared_data):
    serve_labels(http_server, shared_data)
    monkeypatch.setenv("LANDMARK_DATA_DIR", str(unwritable_root))
    with pytest.raises(CacheNotWritable) as info:
        labels_dataset(http_server.url).locate(download=True)
    msg = str(info.value)
    assert f"cannot write to the cache folder {unwritable_root / 'mnist-labels'}: Not a directory" in msg
    assert "Set LANDMARK_DATA_DIR to a writable folder" in msg
    assert "dataset 'mnist-labels' not found" in msg
    assert http_server.requests == []  # nothing was downloaded that could not be kept
    assert unwritable_root.parent.read_bytes() == b"not a folder"


def test_a_cache_folder_without_write_permission(cache, monkeypatch, http_server, shared_data):
    # Root may write anywhere, so the refusal that a user's read-only folder gives is simulated.
    serve_labels(http_server, shared_data)
    real_open = os.open

    def refuse(path, flags, *args, **kwargs):
        if str(path).endswith(".part"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(CacheNotWritable, match="cannot write to the cache folder .*: Permission denied"):
        labels_dataset(http_server.url).locate(download=True)
    assert leftovers(cache) == []


_FULL_DISK = """
import resource, signal, sys
from landmark.data import CacheNotWritable, DataFile, find_files
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit then fail with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (10000, 10000))
try:
    find_files("mnist-labels", [DataFile(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])], download=True)
except CacheNotWritable as e:
    print(e)
    sys.exit(3)
"""


def test_a_write_that_fails_mid_download_leaves_nothing(shared_data, cache, http_server, tmp_path):
    # A real write failure, even as root: a file size limit makes the 28,881-byte file too big.
    serve_labels(http_server, shared_data)
    sha, size = MNIST_LABELS[TRAIN]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    p = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, TRAIN, sha, str(size), f"{http_server.url}/{TRAIN}"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert p.returncode == 3, p.stdout + p.stderr
    assert f"cannot write {TRAIN} to the cache folder {cache / 'mnist-labels'}" in p.stdout
    assert "the partial file was deleted" in p.stdout
    assert leftovers(cache) == []


# --- the registry of datasets -------------------------------------------------------------------


def test_installed_datasets_come_from_entry_points(dataset_distribution, monkeypatch):
    site = dataset_distribution(
        {
            "both": "landmark_test_datasets:BOTH",
            "toy": "landmark_test_datasets:TOY",
            "again": "landmark_test_datasets:USPS_TEST",  # the same declaration twice is one dataset
            "number": "landmark_test_datasets:NOT_A_DATASET",
            "gone": "landmark_test_datasets_missing:X",
        }
    )
    monkeypatch.syspath_prepend(str(site))
    eps = [e for e in md.PathDistribution(site / "landmark_test_datasets-0.1.dist-info").entry_points if e.group == GROUP]
    found, broken = discover_datasets(eps)
    assert list(found) == ["mnist-labels", "toy-task", "usps-test"]
    assert found["toy-task"].generated and found["usps-test"].nbytes == 439208
    reasons = {b.name: b.reason for b in broken}
    assert set(reasons) == {"number", "gone"}
    assert "holds a int, not a landmark Dataset" in reasons["number"]
    assert reasons["gone"].startswith("import failed: ModuleNotFoundError")
    assert all(b.distribution == "landmark-test-datasets" for b in broken)
    # installed_datasets() reads the real environment, where this distribution is now on sys.path
    assert {"mnist-labels", "toy-task", "usps-test"} <= set(installed_datasets())


def test_duplicate_dataset_names_are_errors(fake_module):
    name = fake_module(
        "from landmark.datasets import Dataset\n"
        "A = Dataset('same', generated=True, title='one')\n"
        "B = Dataset('same', generated=True, title='two')\n"
        "C = Dataset('other', generated=True)\n"
    )
    eps = [md.EntryPoint(n, f"{name}:{n.upper()}", GROUP) for n in ("a", "b", "c")]
    found, broken = discover_datasets(eps)
    assert list(found) == ["other"]
    assert len(broken) == 2 and all("duplicate dataset name 'same'" in b.reason for b in broken)

