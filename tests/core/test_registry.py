"""Discovery through the entry-point group, with fake entry points (no installing)."""

from __future__ import annotations

import importlib

import lightning.pytorch as L
import pytest

from core_fixtures import fake_distribution, fake_module, make_ep, plugins_module  # noqa: F401 (fixtures)
from landmark import registry as registry_module
from landmark.registry import GROUP, Registry, discover


def test_group_name():
    assert GROUP == "landmark.plugins"


def test_good_plugin_loads(plugins_module, make_ep):
    mod = importlib.import_module(plugins_module)
    reg = discover([make_ep("good", f"{plugins_module}:good")])

    assert reg.broken == []
    assert reg.names() == ["good"]
    assert "good" in reg and "other" not in reg
    assert len(reg) == 1
    assert reg.get("good") is mod.good
    assert list(reg) == [mod.good]
    # A bare entry point has no distribution to name.
    assert reg.origin("good") == ("?", "?")


def test_plugins_are_listed_sorted(plugins_module, make_ep):
    reg = discover([make_ep("other", f"{plugins_module}:other"), make_ep("good", f"{plugins_module}:good")])
    assert reg.names() == ["good", "other"]
    assert [p.name for p in reg] == ["good", "other"]


def test_origin_names_the_distribution_and_version(plugins_module, fake_distribution):
    eps = fake_distribution("fake-good", "2.3.4", {"good": f"{plugins_module}:good"})
    reg = discover(eps)
    assert reg.origin("good") == ("fake-good", "2.3.4")


def test_empty_group():
    reg = discover([])
    assert len(reg) == 0 and reg.names() == [] and reg.broken == []
    assert "none" in reg.unknown_message("anything")


BAD_MODEL_SOURCE = """
from landmark import PaperCard, Plugin
import lightning.pytorch as L

class NotAModel:  # a plain class, not a LightningModule
    pass

class Data(L.LightningDataModule):
    pass

plugin = Plugin(name="badmodel", model=NotAModel, datamodule=Data,
                card=PaperCard(title="t", authors="a", year=2000, venue="v"))
"""


@pytest.mark.parametrize(
    "case",
    ["import_error", "raises_at_import", "missing_attribute", "not_a_plugin", "model_not_lightning", "name_mismatch"],
)
def test_a_broken_plugin_is_reported_and_skipped(case, plugins_module, fake_module, make_ep):
    if case == "import_error":
        bad = make_ep("broken", fake_module("import landmark_no_such_module_xyz") + ":plugin")
        expected = ["import failed", "ModuleNotFoundError", "landmark_no_such_module_xyz"]
    elif case == "raises_at_import":
        bad = make_ep("broken", fake_module("raise RuntimeError('boom at import')") + ":plugin")
        expected = ["import failed", "RuntimeError", "boom at import"]
    elif case == "missing_attribute":
        bad = make_ep("broken", f"{plugins_module}:no_such_attribute")
        expected = ["import failed", "AttributeError", "no_such_attribute"]
    elif case == "not_a_plugin":
        bad = make_ep("broken", f"{plugins_module}:not_a_plugin")
        expected = [f"{plugins_module}:not_a_plugin", "int", "not a landmark.Plugin"]
    elif case == "model_not_lightning":
        # Plugin() refuses it at construction, so the module itself fails to import.
        bad = make_ep("broken", fake_module(BAD_MODEL_SOURCE) + ":plugin")
        expected = ["import failed", "PluginError", "NotAModel", "not a LightningModule subclass"]
    else:  # name_mismatch: entry point "broken" holds the plugin named "good"
        bad = make_ep("broken", f"{plugins_module}:good")
        expected = ["'broken'", "'good'"]
    good = make_ep("other", f"{plugins_module}:other")

    reg = discover([bad, good])  # the broken one sorts first: it must not stop the next

    assert reg.names() == ["other"]
    assert [b.name for b in reg.broken] == ["broken"]
    b = reg.broken[0]
    assert b.distribution == "?"
    for text in expected:
        assert text in b.reason, (text, b.reason)


def test_broken_plugins_carry_their_distribution(plugins_module, fake_distribution):
    eps = fake_distribution("fake-broken", "0.1", {"broken": f"{plugins_module}:not_a_plugin"})
    reg = discover(eps)
    assert [(b.name, b.distribution) for b in reg.broken] == [("broken", "fake-broken")]


def test_many_broken_plugins_do_not_break_the_good_ones(plugins_module, fake_module, make_ep):
    eps = [
        make_ep("a_import", fake_module("import landmark_no_such_module_xyz") + ":plugin"),
        make_ep("b_type", f"{plugins_module}:not_a_plugin"),
        make_ep("good", f"{plugins_module}:good"),
        make_ep("m_model", fake_module(BAD_MODEL_SOURCE) + ":plugin"),
        make_ep("other", f"{plugins_module}:other"),
        make_ep("z_name", f"{plugins_module}:good"),
    ]
    reg = discover(eps)
    assert reg.names() == ["good", "other"]
    assert sorted(b.name for b in reg.broken) == ["a_import", "b_type", "m_model", "z_name"]


def test_duplicate_names_are_errors_for_every_copy(plugins_module, fake_distribution, make_ep):
    eps = (
        fake_distribution("dist-a", "1.0", {"twin": f"{plugins_module}:twin_a"})
        + fake_distribution("dist-b", "2.0", {"twin": f"{plugins_module}:twin_b"})
        + [make_ep("good", f"{plugins_module}:good")]
    )
    reg = discover(eps)

    assert "twin" not in reg  # neither copy is trusted to be the one the user meant
    assert reg.names() == ["good"]
    twins = [b for b in reg.broken if b.name == "twin"]
    assert sorted(b.distribution for b in twins) == ["dist-a", "dist-b"]
    for b in twins:
        assert "duplicate plugin name 'twin'" in b.reason
        other = "dist-b" if b.distribution == "dist-a" else "dist-a"
        assert other in b.reason  # each report names where the other copy comes from
    with pytest.raises(KeyError):
        reg.get("twin")


def test_three_copies_are_all_reported(plugins_module, fake_distribution):
    eps = (
        fake_distribution("dist-a", "1.0", {"twin": f"{plugins_module}:twin_a"})
        + fake_distribution("dist-b", "1.0", {"twin": f"{plugins_module}:twin_b"})
        + fake_distribution("dist-c", "1.0", {"twin": f"{plugins_module}:twin_a"})
    )
    reg = discover(eps)
    assert len(reg) == 0
    assert sorted(b.distribution for b in reg.broken) == ["dist-a", "dist-b", "dist-c"]


def test_unknown_message_suggests_close_matches(plugins_module, make_ep):
    reg = discover([make_ep("good", f"{plugins_module}:good"), make_ep("other", f"{plugins_module}:other")])
    msg = reg.unknown_message("godo")
    assert "'godo'" in msg
    assert "did you mean good" in msg
    assert "good, other" in msg  # and lists what is installed

    far = reg.unknown_message("transformer2017")
    assert "did you mean" not in far
    assert "good, other" in far


def test_get_unknown_raises_key_error_with_the_message(plugins_module, make_ep):
    reg = discover([make_ep("good", f"{plugins_module}:good")])
    with pytest.raises(KeyError, match="did you mean good"):
        reg.get("goood")


def test_for_model_finds_the_plugin_of_a_subclass(plugins_module, make_ep):
    mod = importlib.import_module(plugins_module)
    reg = discover([make_ep("good", f"{plugins_module}:good"), make_ep("other", f"{plugins_module}:other")])

    assert reg.for_model(mod.Model) is mod.good
    assert reg.for_model(mod.SubModel) is mod.good
    assert reg.for_model(mod.OtherModel) is mod.other

    class Unrelated(L.LightningModule):
        pass

    assert reg.for_model(Unrelated) is None


def test_for_model_prefers_the_closest_class(plugins_module, fake_module, make_ep):
    """A plugin whose model subclasses another plugin's model is found for its own class."""
    sub_source = f"""
    from landmark import Plugin
    from {plugins_module} import SubModel, Data, CARD
    plugin = Plugin(name="sub", model=SubModel, datamodule=Data, card=CARD)
    """
    sub_mod = fake_module(sub_source)
    mod = importlib.import_module(plugins_module)
    reg = discover([make_ep("good", f"{plugins_module}:good"), make_ep("sub", f"{sub_mod}:plugin")])

    assert reg.for_model(mod.SubModel).name == "sub"
    assert reg.for_model(mod.Model).name == "good"


def test_installed_entry_points_are_discovered(monkeypatch):
    """With no ``eps`` the installed group is read: the example third-party package is found
    exactly as a first-party plugin would be. (The other installed plugins are filtered out:
    they are not this test's subject.)"""
    real = registry_module.entry_points

    def only_adaline(**kw):
        assert kw == {"group": GROUP}
        return [e for e in real(**kw) if e.name == "adaline1960"]

    monkeypatch.setattr(registry_module, "entry_points", only_adaline)
    reg = discover()
    assert "adaline1960" in reg
    assert reg.origin("adaline1960") == ("landmark-adaline", "1.0.0")


def test_registry_is_discovered_once_per_process(monkeypatch):
    calls = []

    def fake_discover(eps=None):
        calls.append(eps)
        return Registry({}, [])

    monkeypatch.setattr(registry_module, "_registry", None)
    monkeypatch.setattr(registry_module, "discover", fake_discover)
    first = registry_module.registry()
    assert registry_module.registry() is first
    assert len(calls) == 1
