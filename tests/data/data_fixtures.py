"""Fixtures for the data layer's tests: a cache in a temporary folder, real files copied from
``../shared/data`` (read-only there), a local HTTP server, a URL where nothing listens, and a
fake installed distribution that registers test datasets under ``landmark.datasets``.

Test modules import what they use from here. This is not a ``conftest.py`` on purpose: the test
folders have no ``__init__.py``, so a second module named ``conftest`` would shadow
``tests/conftest.py``.
"""

from __future__ import annotations

import hashlib
import http.server
import importlib
import shutil
import socket
import sys
import textwrap
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from landmark.data import DataFile

# Real files from ../shared/data with the sha256 and sizes their SOURCE.md gives: two small
# MNIST label files and the USPS test set.
MNIST_LABELS = {
    "t10k-labels-idx1-ubyte.gz": ("f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4542),
    "train-labels-idx1-ubyte.gz": ("3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28881),
}
USPS_TEST = ("zip.test.gz", "8dacc3c6e136af6c3488de9e5113a7daf140c8c2f1f0b61c54ee02f03f1a962f", 439208)


def mnist_label_files(url: str | None = None) -> tuple[DataFile, ...]:
    """The two MNIST label files as DataFiles; ``url``: the base they are downloaded from."""
    return tuple(DataFile(n, sha, size, f"{url}/{n}" if url else None) for n, (sha, size) in MNIST_LABELS.items())


def leftovers(folder: Path) -> list[str]:
    """Everything under ``folder`` (relative paths): to show that nothing half-done was left."""
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache root (``LANDMARK_DATA_DIR``) in a temporary folder; not yet created."""
    root = tmp_path / "cache"
    monkeypatch.setenv("LANDMARK_DATA_DIR", str(root))
    return root


@pytest.fixture
def mnist_dir(shared_data, tmp_path) -> Path:
    """A writable folder holding a copy of MNIST's two real label files."""
    folder = tmp_path / "mnist-copy"
    folder.mkdir()
    for name in MNIST_LABELS:
        shutil.copyfile(shared_data / "mnist" / name, folder / name)
    return folder


@pytest.fixture
def unwritable_root(tmp_path) -> Path:
    """A cache root that cannot be created, even by root: it lies under a regular file."""
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"not a folder")
    return blocker / "cache"


@pytest.fixture
def dead_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens (connection refused: no network)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@dataclass
class Server:
    """A local HTTP server: ``files[path] = bytes`` are served at ``url + path``; ``cut[path] =
    n`` sends only the first n bytes while announcing the full length; ``requests`` lists the
    paths asked for."""

    url: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    cut: dict[str, int] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def http_server():
    state = Server()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server API)
            state.requests.append(self.path)
            body = state.files.get(self.path)
            if body is None:
                self.send_error(404, "Not Found")
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: state.cut.get(self.path, len(body))])
            self.wfile.flush()
            self.close_connection = True

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


# A module that declares datasets the way a DataModule module does, for fake entry points.
DATASETS_SOURCE = '''
from landmark.data import DataFile
from landmark.datasets import DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_FILES, Dataset

MNIST_LABELS = Dataset(
    name="mnist-labels",
    files=(
        DataFile("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4542{url_t10k}),
        DataFile("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28881{url_train}),
    ),
    title="MNIST's two label files (a test dataset)",
)
USPS_TEST = Dataset(
    name="usps-test",
    files=(DataFile("zip.test.gz", "8dacc3c6e136af6c3488de9e5113a7daf140c8c2f1f0b61c54ee02f03f1a962f", 439208),),
    title="USPS test digits (a test dataset)",
)
TOY = Dataset(name="toy-task", generated=True, size="256 samples", title="a generated task (a test dataset)")
BOTH = [MNIST_LABELS, USPS_TEST]
FASHION = Dataset(
    name="fashion-debian",
    files=FASHION_MNIST_FILES,
    system_dirs=(DEBIAN_FASHION_MNIST_DIR,),
    title="Fashion-MNIST, from the Debian package (a test dataset)",
)
NOT_A_DATASET = 42
'''


def datasets_source(url: str | None = None) -> str:
    def u(name: str) -> str:
        return f", {url + '/' + name!r}" if url else ""

    return DATASETS_SOURCE.replace("{url_t10k}", u("t10k-labels-idx1-ubyte.gz")).replace(
        "{url_train}", u("train-labels-idx1-ubyte.gz")
    )


@pytest.fixture
def dataset_distribution(tmp_path):
    """``dataset_distribution(entry_points, url=None) -> folder``: a folder holding a module
    ``landmark_test_datasets`` (``DATASETS_SOURCE``) and the dist-info of a distribution
    ``landmark-test-datasets`` whose ``landmark.datasets`` entry points are ``entry_points``
    (``{name: "module:attr"}``). Put the folder on ``sys.path`` or ``PYTHONPATH`` and the
    datasets are installed, as a real package's would be."""

    def make(eps: dict[str, str], url: str | None = None) -> Path:
        site = tmp_path / "site"
        info = site / "landmark_test_datasets-0.1.dist-info"
        info.mkdir(parents=True)
        (site / "landmark_test_datasets.py").write_text(textwrap.dedent(datasets_source(url)))
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: landmark-test-datasets\nVersion: 0.1\n")
        lines = ["[landmark.datasets]"] + [f"{k} = {v}" for k, v in eps.items()]
        (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
        importlib.invalidate_caches()
        return site

    yield make
    sys.modules.pop("landmark_test_datasets", None)


@pytest.fixture
def fake_module(tmp_path, monkeypatch):
    """``fake_module(source) -> name``: a module under a fresh name, importable for one test."""
    root = tmp_path / "fake_modules"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    names: list[str] = []

    def write(source: str) -> str:
        name = f"landmark_fake_ds_{uuid.uuid4().hex[:10]}"
        (root / f"{name}.py").write_text(source)
        importlib.invalidate_caches()
        names.append(name)
        return name

    yield write
    for name in names:
        sys.modules.pop(name, None)
