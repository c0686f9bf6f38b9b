"""Fixtures for the core's tests: fake plugin modules and fake distributions, so discovery is
tested with entry points made on the spot (as pluggy tests its hooks), never by installing.

Test modules import the fixtures they use from here. This is not a ``conftest.py`` on purpose:
``tests/test_conformance.py`` does ``from conftest import REPO``, and a second module named
``conftest`` (this folder has no ``__init__.py``) would shadow the top-level one.
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

GROUP = "landmark.plugins"

# A module that defines a small, valid plugin world: two plugins, a subclass of one model, and
# objects that break the contract in the ways a real package gets wrong.
PLUGINS_SOURCE = '''
import lightning.pytorch as L
from landmark import PaperCard, Plugin

class Model(L.LightningModule):
    def __init__(self, width: int = 4) -> None:
        super().__init__()

class SubModel(Model):
    pass

class OtherModel(L.LightningModule):
    pass

class Data(L.LightningDataModule):
    pass

CARD = PaperCard(title="A paper", authors="Someone", year=1999, venue="Somewhere")

good = Plugin(name="good", model=Model, datamodule=Data, card=CARD)
other = Plugin(name="other", model=OtherModel, datamodule=Data, card=CARD)
twin_a = Plugin(name="twin", model=Model, datamodule=Data, card=CARD)
twin_b = Plugin(name="twin", model=OtherModel, datamodule=Data, card=CARD)
not_a_plugin = 42
'''


@pytest.fixture
def fake_module(tmp_path, monkeypatch):
    """``fake_module(source) -> name``: write a module under a fresh, unique name into a folder
    on ``sys.path``; it is forgotten (``sys.modules``) after the test."""
    root = tmp_path / "fake_modules"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    names: list[str] = []

    def write(source: str) -> str:
        name = f"landmark_fake_{uuid.uuid4().hex[:10]}"
        (root / f"{name}.py").write_text(textwrap.dedent(source))
        importlib.invalidate_caches()
        names.append(name)
        return name

    yield write
    for name in names:
        sys.modules.pop(name, None)


@pytest.fixture
def plugins_module(fake_module) -> str:
    """The name of a fresh module holding ``PLUGINS_SOURCE``."""
    return fake_module(PLUGINS_SOURCE)


@pytest.fixture
def fake_distribution(tmp_path):
    """``fake_distribution(name, version, {ep_name: value}) -> [EntryPoint]``: entry points that
    belong to a distribution (``ep.dist``), read from a dist-info folder as an installed
    package's would be."""
    counter = iter(range(1000))

    def make(name: str, version: str, eps: dict[str, str]) -> list[md.EntryPoint]:
        info = tmp_path / f"site{next(counter)}" / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        lines = [f"[{GROUP}]"] + [f"{k} = {v}" for k, v in eps.items()]
        (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
        return [ep for ep in md.PathDistribution(Path(info)).entry_points if ep.group == GROUP]

    return make


def ep(name: str, value: str) -> md.EntryPoint:
    return md.EntryPoint(name=name, value=value, group=GROUP)


@pytest.fixture
def make_ep():
    """``make_ep(name, "module:attr")``: a bare entry point of the group (no distribution)."""
    return ep


@pytest.fixture(scope="session")
def adaline_eps() -> list[md.EntryPoint]:
    """The entry points of the installed example third-party package, ``landmark-adaline``."""
    return [e for e in md.distribution("landmark-adaline").entry_points if e.group == GROUP]


@pytest.fixture(scope="session")
def adaline_registry(adaline_eps):
    """A registry holding only ``adaline1960`` (the first-party plugins are left out on purpose:
    these tests must not depend on them)."""
    from landmark.registry import discover

    reg = discover(adaline_eps)
    assert reg.names() == ["adaline1960"], reg.broken
    return reg
