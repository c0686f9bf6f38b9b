"""The conformance suite, driven by discovery: every installed plugin passes every check of
``landmark.testing``, and every shipped YAML parses against the real signatures."""

import pytest

from landmark import testing
from landmark.registry import registry

from conftest import REPO

PLUGINS = registry().names()


def test_plugins_discovered():
    assert {"backprop1986", "lenet1989"} <= set(PLUGINS), f"installed plugins: {PLUGINS}"
    assert not registry().broken, registry().broken


@pytest.mark.parametrize("check", testing.CHECKS, ids=testing.check_id)
@pytest.mark.parametrize("name", PLUGINS)
def test_conformance(name, check, tmp_path):
    check(name, tmp_path)


@pytest.mark.parametrize("path", testing.config_files(REPO / "configs"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_config_parses(path):
    testing.check_config_file(path)
