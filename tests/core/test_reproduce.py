"""`landmark reproduce`: the card's configs are run and the paper's numbers set beside the run's."""

import json

import pytest

from landmark.cli import main
from landmark.plugin import PaperCard, Plugin, Reported
from landmark.reproduce import resolve_config
from landmark.registry import registry

QUIET = ["--trainer.enable_progress_bar", "false", "--trainer.enable_model_summary", "false"]


def run_main(*args):
    with pytest.raises(SystemExit) as e:
        main(list(args))
    return e.value.code


def test_reproduce_runs_the_card_and_writes_the_table(tmp_path, capsys):
    code = run_main("reproduce", "adaline1960", "--root", str(tmp_path), "--trainer.max_epochs", "2", *QUIET)
    out = capsys.readouterr().out
    assert code == 0
    table = json.loads((tmp_path / "adaline1960" / "reproduce-quick.json").read_text())
    (row,) = table["rows"]
    assert (row["experiment"], row["metric"], row["reported"]) == ("patterns", "val_error", 0.0)
    assert 0.0 <= row["measured"] <= 1.0 and row["difference"] == row["measured"] - row["reported"]
    assert row["seconds"] > 0
    md = (tmp_path / "adaline1960" / "reproduce-quick.md").read_text()
    assert "| patterns | val_error | paper | 0 |" in md and md in out
    # the run itself went through the platform: logs and checkpoints beside the table
    assert (tmp_path / "adaline1960-patterns-quick" / "checkpoints" / "last.ckpt").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["reproduce", "adaline196"], "did you mean adaline1960"),
        (["reproduce", "adaline1960", "--experiment", "nope"], "has no experiment 'nope'; its card has: patterns"),
    ],
)
def test_bad_reproduce_input_is_a_usage_error(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_main(*args) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def test_card_configs_resolve_from_the_plugin_package():
    lenet = registry().get("lenet1989")
    for r in lenet.card.results:
        assert resolve_config(lenet, r.config).is_file()
    assert resolve_config(registry().get("adaline1960"), "default") is None


def test_every_installed_card_names_configs_that_exist():
    for plugin in registry():
        for r in plugin.card.results:
            resolve_config(plugin, r.config)  # raises UsageError naming the missing file


def test_a_missing_card_config_is_named(tmp_path):
    from landmark.errors import UsageError

    lenet = registry().get("lenet1989")
    card = PaperCard("t", "a", 2000, "v", results=(Reported("e", "m", 1.0, "configs/nope/x.yaml"),))
    broken = Plugin("lenet_copy", lenet.model, lenet.datamodule, card)
    with pytest.raises(UsageError, match="configs/nope/x.yaml"):
        resolve_config(broken, "configs/nope/x.yaml")
    assert broken.card.results[0].quick == ""
