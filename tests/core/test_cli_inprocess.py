"""``landmark.cli`` in this process: ``main()`` on bad input (exit 2, one message, nothing
written) and how ``run(..., run=False)`` wires the trainer for a plugin. Only ``adaline1960``
is installed here: ``cli.registry`` is replaced by a registry holding it alone."""

from __future__ import annotations

import pytest
import torch
import yaml
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.loggers import TensorBoardLogger

from core_fixtures import adaline_eps, adaline_registry, make_ep  # noqa: F401 (fixtures)
from landmark import cli
from landmark.errors import UsageError
from landmark.registry import Broken, Registry, discover
from landmark.training import RunRecord, Throughput

PLUGIN = "adaline1960"


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def main(in_tmp, monkeypatch, adaline_registry, capsys):
    """``main(*args) -> (exit code, stdout, stderr)`` with only adaline1960 installed."""
    monkeypatch.setattr(cli, "registry", lambda: adaline_registry)

    def call(*args: str):
        with pytest.raises(SystemExit) as info:
            cli.main(list(args))
        out, err = capsys.readouterr()
        return info.value.code, out, err

    return call


def assert_usage_error(result, *texts, cwd, files=()):
    code, out, err = result
    assert code == 2, (out, err)
    assert "Traceback" not in out + err
    assert err.startswith("landmark: error:") or "\nlandmark: error:" in err, err
    message = err[err.index("landmark: error:") :].strip()
    assert len(message.splitlines()) <= 3, message
    for text in texts:
        assert text in message, (text, message)
    assert sorted(p.name for p in cwd.iterdir()) == sorted(files), "bad input must write nothing"


# --- bad input ----------------------------------------------------------------------------------


def test_config_folder(main, in_tmp):
    (in_tmp / "conf.yaml").mkdir()
    assert_usage_error(main("fit", "--config", "conf.yaml"), "'conf.yaml'", "folder", cwd=in_tmp, files=["conf.yaml"])


def test_config_broken_symlink(main, in_tmp):
    (in_tmp / "conf.yaml").symlink_to(in_tmp / "gone.yaml")
    assert_usage_error(main("fit", "--config", "conf.yaml"), "'conf.yaml'", "does not exist", cwd=in_tmp, files=["conf.yaml"])


def test_config_not_text(main, in_tmp):
    (in_tmp / "conf.yaml").write_bytes(b"\xff\xfe\x00 not utf-8")
    assert_usage_error(main("fit", "--config", "conf.yaml"), "'conf.yaml'", "cannot be read", cwd=in_tmp, files=["conf.yaml"])


def test_config_not_a_mapping(main, in_tmp):
    (in_tmp / "conf.yaml").write_text("- trainer\n- model\n")
    assert_usage_error(main("fit", "--config", "conf.yaml"), "'conf.yaml'", "mapping", cwd=in_tmp, files=["conf.yaml"])


@pytest.mark.parametrize("flag", ["--config", "-c"])
def test_missing_config_before_the_subcommand(flag, main, in_tmp):
    assert_usage_error(main(flag, "nothere.yaml", "fit"), "'nothere.yaml'", "does not exist", cwd=in_tmp)


def test_unknown_plugin_in_plugins_show(main, in_tmp):
    assert_usage_error(main("plugins", "--show", "adaline196"), "did you mean adaline1960", cwd=in_tmp)


def test_unknown_subcommand(main, in_tmp):
    assert_usage_error(main("fitt", "--plugin", PLUGIN), "fitt", cwd=in_tmp)


def test_no_arguments_prints_usage_and_fails(main, in_tmp):
    code, out, err = main()
    assert code == 2
    assert "usage: landmark fit|validate|test|predict" in out
    assert "landmark: error:" in err and "subcommand" in err
    assert list(in_tmp.iterdir()) == []


def test_unknown_model_class_lists_the_installed_ones(main, in_tmp):
    assert_usage_error(main("fit", "--plugin", PLUGIN, "--model", "NoSuchModel"), "NoSuchModel", "installed model classes: Adaline", cwd=in_tmp)


def test_threads_must_be_positive(main, in_tmp):
    assert_usage_error(main("fit", "--plugin", PLUGIN, "--threads", "0"), "--threads must be >= 1", cwd=in_tmp)


def test_missing_bare_checkpoint(main, in_tmp):
    assert_usage_error(main("test", "--ckpt_path", "nothere.ckpt"), "'nothere.ckpt'", "does not exist", cwd=in_tmp)


def test_checkpoint_that_is_not_one(main, in_tmp):
    (in_tmp / "junk.ckpt").write_bytes(b"not a checkpoint")
    assert_usage_error(main("test", "--ckpt_path", "junk.ckpt"), "'junk.ckpt'", "cannot be loaded", cwd=in_tmp, files=["junk.ckpt"])


def test_checkpoint_that_needs_unpickling_is_refused(main, in_tmp):
    # Arbitrary objects would need weights_only=False, i.e. running code from the file.
    torch.save({"state_dict": {}, "landmark": {"config": "x: 1\n"}, "extra": Throughput()}, in_tmp / "unsafe.ckpt")
    assert_usage_error(main("test", "--ckpt_path", "unsafe.ckpt"), "'unsafe.ckpt'", "cannot be loaded safely", cwd=in_tmp, files=["unsafe.ckpt"])


def test_checkpoint_without_a_record(main, in_tmp):
    torch.save({"state_dict": {}}, in_tmp / "plain.ckpt")
    assert_usage_error(main("test", "--ckpt_path", "plain.ckpt"), "'plain.ckpt'", "holds no landmark config", cwd=in_tmp, files=["plain.ckpt"])


def test_short_config_flag_with_equals(main, in_tmp):
    (in_tmp / "conf.yaml").write_text("trainer:\n  max_epochs: 1\n")
    assert_usage_error(main("-c=conf.yaml", "fit", "--model.bogus", "1"), "bogus", cwd=in_tmp, files=["conf.yaml"])


def test_broken_plugins_are_warned_about_once(in_tmp, monkeypatch, capsys, adaline_eps, make_ep):
    reg = discover([*adaline_eps, make_ep("ghost", "landmark_no_such_module_xyz:plugin")])
    assert [b.name for b in reg.broken] == ["ghost"]
    monkeypatch.setattr(cli, "registry", lambda: reg)
    with pytest.raises(SystemExit):
        cli.main(["fit", "--plugin", "adaline196"])
    err = capsys.readouterr().err
    assert err.count("landmark: warning: plugin 'ghost'") == 1
    assert "ModuleNotFoundError" in err
    assert "did you mean adaline1960" in err  # the others still work


def test_broken_plugins_are_not_warned_about_by_other_ranks(monkeypatch, capsys):
    monkeypatch.setenv("LOCAL_RANK", "1")
    cli._warn_broken(Registry({}, [Broken("ghost", "dist", "import failed")]))
    assert capsys.readouterr().err == ""


# --- how a run is wired (run=False: built, not trained) ----------------------------------------


def build(*args: str, reg) -> cli.LandmarkCLI:
    return cli.run(["fit", "--plugin", PLUGIN, *args], plugins=reg, run=False)


def one(items, cls):
    found = [c for c in items if isinstance(c, cls)]
    assert len(found) == 1, items
    return found[0]


def test_run_is_named_after_the_plugin(in_tmp, adaline_registry):
    c = build(reg=adaline_registry)
    logger = c.trainer.logger
    assert isinstance(logger, TensorBoardLogger)
    assert (logger.save_dir, logger.name) == ("runs", PLUGIN)
    best, last = c.trainer.checkpoint_callbacks
    assert best.dirpath == last.dirpath == str(in_tmp / "runs" / PLUGIN / "checkpoints")
    # The plugin says which metric picks the best checkpoint, and in which direction.
    assert (best.monitor, best.mode, best.save_top_k) == ("val_error", "min", 1)
    # The last step is kept whatever the metric does.
    assert (last.monitor, last.save_last) == (None, "link")
    one(c.trainer.callbacks, Throughput)
    assert list(in_tmp.iterdir()) == []  # building writes nothing


def test_name_and_root_dir_move_the_run(in_tmp, adaline_registry):
    c = build("--name", "mine", "--trainer.default_root_dir", "elsewhere", reg=adaline_registry)
    assert (c.trainer.logger.save_dir, c.trainer.logger.name) == ("elsewhere", "mine")
    assert {cb.dirpath for cb in c.trainer.checkpoint_callbacks} == {str(in_tmp / "elsewhere" / "mine" / "checkpoints")}


def test_run_record_describes_the_run(in_tmp, adaline_registry):
    from landmark import __version__

    c = build("--model.mu", "0.03", "--trainer.max_epochs", "7", reg=adaline_registry)
    record = one(c.trainer.callbacks, RunRecord).record
    assert record["plugin"] == PLUGIN
    assert (record["distribution"], record["version"]) == ("landmark-adaline", "1.0.0")
    assert record["landmark_version"] == __version__
    cfg = yaml.safe_load(record["config"])
    assert set(cfg) <= {"seed_everything", "threads", "memory_format", "name", "model", "data", "trainer"}
    assert cfg["model"] == {"class_path": "landmark_adaline.Adaline", "init_args": {"inputs": 16, "mu": 0.03}}
    assert cfg["trainer"]["max_epochs"] == 7
    assert cfg["seed_everything"] == 0


def test_user_callbacks_and_logger_choices_are_kept(in_tmp, adaline_registry):
    c = build("--trainer.logger", "false", "--trainer.enable_checkpointing", "false", reg=adaline_registry)
    assert c.trainer.logger is None
    assert not [cb for cb in c.trainer.callbacks if isinstance(cb, ModelCheckpoint)]
    one(c.trainer.callbacks, Throughput)


def test_short_class_names_resolve(in_tmp, adaline_registry):
    """Plugins are loaded before the parser is built, so ``--model Adaline`` works."""
    c = cli.run(["fit", "--model", "Adaline", "--data", "NoisyPatterns", "--model.mu", "0.5"], plugins=adaline_registry, run=False)
    assert type(c.model).__name__ == "Adaline" and c.model.hparams.mu == 0.5
    assert c.trainer.logger.name == PLUGIN  # found through the registry's for_model


def test_run_raises_usage_error_for_bad_values(in_tmp, adaline_registry):
    with pytest.raises(UsageError, match="model.mu"):
        build("--model.mu", "abc", reg=adaline_registry)
    with pytest.raises(UsageError, match="max_epochs"):
        build("--trainer.max_epochs", "-3", reg=adaline_registry)
