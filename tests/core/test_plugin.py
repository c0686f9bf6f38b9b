"""The plugin contract: what ``Plugin`` accepts, refuses, and makes of its default config."""

from __future__ import annotations

import dataclasses

import lightning.pytorch as L
import pytest

from landmark import PaperCard, Plugin, PluginError, Reported


class Model(L.LightningModule):
    pass


class Data(L.LightningDataModule):
    pass


class OtherData(L.LightningDataModule):
    pass


CARD = PaperCard(
    title="Paper",
    authors="A. Author",
    year=1986,
    venue="Nature",
    results=(Reported("exp", "val_error", 0.1, config="configs/x/exp.yaml", where="Table 1"),),
)


def make(**kw) -> Plugin:
    args = dict(name="paper1986", model=Model, datamodule=Data, card=CARD)
    args.update(kw)
    return Plugin(**args)


def test_a_valid_plugin():
    p = make(config={"trainer": {"max_epochs": 3}}, monitor="val_error", mode="max")
    assert (p.name, p.model, p.datamodule, p.card, p.monitor, p.mode) == ("paper1986", Model, Data, CARD, "val_error", "max")
    assert make().monitor == "val_loss" and make().mode == "min"


def test_plugin_error_is_a_type_error():
    assert issubclass(PluginError, TypeError)


def test_plugins_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        make().name = "other"


@pytest.mark.parametrize("name", ["lenet1989", "gpt_2", "x"])
def test_good_names(name):
    assert make(name=name).name == name


@pytest.mark.parametrize("name", ["LeNet1989", "le-net", "le net", "", "1989", "lenet1989!", 42, None])
def test_bad_names(name):
    with pytest.raises(PluginError, match="name"):
        make(name=name)


@pytest.mark.parametrize(
    "kw, text",
    [
        ({"model": object}, "not a LightningModule subclass"),
        ({"model": Model()}, "not a LightningModule subclass"),  # an instance, not the class
        ({"model": Data}, "not a LightningModule subclass"),
        ({"datamodule": Model}, "not a LightningDataModule subclass"),
        ({"datamodule": "Data"}, "not a LightningDataModule subclass"),
        ({"card": {"title": "Paper"}}, "card must be a landmark.PaperCard"),
        ({"mode": "maximum"}, "mode must be 'min' or 'max'"),
        ({"config": {"optimizer": {}}}, "unknown sections ['optimizer']"),
        ({"config": {"model": {}, "trainers": {}}}, "unknown sections ['trainers']"),
    ],
)
def test_contract_violations(kw, text):
    with pytest.raises(PluginError) as info:
        make(**kw)
    assert text in str(info.value)
    assert "'paper1986'" in str(info.value)  # the error names the plugin


def test_default_config_spells_out_the_classes():
    p = make(config={"model": {"width": 8}, "trainer": {"max_epochs": 3}})
    assert p.default_config() == {
        "seed_everything": 0,
        "trainer": {"max_epochs": 3},
        "model": {"class_path": f"{__name__}.Model", "init_args": {"width": 8}},
        "data": {"class_path": f"{__name__}.Data", "init_args": {}},
    }


def test_default_config_keeps_a_section_that_names_its_class():
    data = {"class_path": f"{__name__}.OtherData", "init_args": {"n": 1}}
    cfg = make(config={"data": data, "seed_everything": 7}).default_config()
    assert cfg["data"] == data
    assert cfg["seed_everything"] == 7


def test_default_config_does_not_share_state_with_the_plugin():
    p = make(config={"model": {"width": 8}})
    p.default_config()["model"]["init_args"]["width"] = 99
    assert p.default_config()["model"]["init_args"] == {"width": 8}


def test_card_defaults():
    card = PaperCard("T", "A", 2000, "V")
    assert (card.url, card.results, card.summary) == ("", (), "")
    r = Reported("e", "m", 1.0, "c")
    assert (r.source, r.where, r.note) == ("paper", "", "")
