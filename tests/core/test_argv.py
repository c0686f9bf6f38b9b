"""``landmark.argv.rewrite``: the command line LightningCLI is given, as a pure function."""

from __future__ import annotations

import os

import pytest
import yaml

from core_fixtures import adaline_eps, adaline_registry  # noqa: F401 (fixtures)
from landmark import argv
from landmark.argv import check_config_file, rewrite
from landmark.errors import UsageError

PLUGIN_YAML = "# default run of {name}\nmodel:\n  class_path: pkg.Model\n"


class Calls:
    """Fake ``plugin_config`` / ``checkpoint_config`` that record what they were asked."""

    def __init__(self, stored: str | None = "model:\n  class_path: pkg.Model\n") -> None:
        self.plugins: list[str] = []
        self.checkpoints: list[str] = []
        self.stored = stored

    def plugin_config(self, name: str) -> str:
        self.plugins.append(name)
        if name != "known":
            raise UsageError(f"unknown plugin {name!r}")
        return PLUGIN_YAML.format(name=name)

    def checkpoint_config(self, path: str) -> str | None:
        self.checkpoints.append(path)
        return self.stored


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run in an empty folder holding one valid config, ``run.yaml``."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run.yaml").write_text("trainer:\n  max_epochs: 3\n")
    return tmp_path


def rw(args: list[str], calls: Calls) -> list[str]:
    return rewrite(args, calls.plugin_config, calls.checkpoint_config)


# --- config before the subcommand (Lightning #19714) -------------------------------------------


@pytest.mark.usefixtures("in_tmp")
@pytest.mark.parametrize(
    "args, expected",
    [
        (["--config", "run.yaml", "fit"], ["fit", "--config", "run.yaml"]),
        (["--config=run.yaml", "fit"], ["fit", "--config", "run.yaml"]),
        (["-c", "run.yaml", "fit"], ["fit", "--config", "run.yaml"]),
        (
            ["--config", "run.yaml", "fit", "--trainer.max_epochs", "1"],
            ["fit", "--config", "run.yaml", "--trainer.max_epochs", "1"],
        ),
        (
            ["--config", "run.yaml", "test", "--config", "run.yaml", "--model.mu", "2"],
            ["test", "--config", "run.yaml", "--config", "run.yaml", "--model.mu", "2"],
        ),
    ],
)
def test_config_before_the_subcommand_moves_after_it(args, expected, calls):
    assert rw(args, calls) == expected


def test_several_configs_before_the_subcommand_keep_their_order(in_tmp, calls):
    (in_tmp / "second.yaml").write_text("model: {}\n")
    out = rw(["--config", "run.yaml", "--config=second.yaml", "validate", "--data.x", "1"], calls)
    assert out == ["validate", "--config", "run.yaml", "--config", "second.yaml", "--data.x", "1"]


def test_other_options_before_the_subcommand_stay(in_tmp, calls):
    out = rw(["--config", "run.yaml", "--help", "fit"], calls)
    assert out == ["--help", "fit", "--config", "run.yaml"]


@pytest.mark.parametrize("args", [[], ["--help"], ["plugins", "--json"], ["--config", "not-checked.yaml"]])
def test_without_a_subcommand_nothing_changes(args, calls):
    assert rw(args, calls) == args
    assert calls.plugins == [] and calls.checkpoints == []


def test_the_first_subcommand_word_is_the_subcommand(in_tmp, calls):
    # "test" after "fit" is a value, not a second subcommand.
    assert rw(["fit", "--name", "test"], calls) == ["fit", "--name", "test"]


def test_short_config_flag_with_equals_before_the_subcommand(in_tmp, calls):
    assert rw(["-c=run.yaml", "fit"], calls) == ["fit", "--config", "run.yaml"]


# --- --plugin NAME ------------------------------------------------------------------------------


def test_plugin_becomes_a_config_string_first(calls):
    out = rw(["fit", "--plugin", "known"], calls)
    assert out == ["fit", "--config", PLUGIN_YAML.format(name="known")]
    assert calls.plugins == ["known"]


def test_plugin_equals_form(calls):
    assert rw(["fit", "--plugin=known"], calls) == ["fit", "--config", PLUGIN_YAML.format(name="known")]


def test_plugin_config_goes_before_the_users_config_and_overrides(in_tmp, calls):
    """Later configs and dotted overrides win in jsonargparse, so the plugin's default comes
    first wherever the user wrote ``--plugin``."""
    out = rw(["fit", "--config", "run.yaml", "--model.mu", "0.02", "--plugin", "known", "--trainer.max_epochs", "1"], calls)
    assert out == [
        "fit",
        "--config",
        PLUGIN_YAML.format(name="known"),
        "--config",
        "run.yaml",
        "--model.mu",
        "0.02",
        "--trainer.max_epochs",
        "1",
    ]


def test_plugin_with_config_before_the_subcommand(in_tmp, calls):
    out = rw(["--config", "run.yaml", "fit", "--plugin", "known"], calls)
    assert out == ["fit", "--config", PLUGIN_YAML.format(name="known"), "--config", "run.yaml"]


def test_plugin_config_is_yaml_the_parser_can_read(calls):
    out = rw(["fit", "--plugin", "known"], calls)
    assert yaml.safe_load(out[2]) == {"model": {"class_path": "pkg.Model"}}


def test_unknown_plugin_is_a_usage_error(calls):
    with pytest.raises(UsageError, match="unknown plugin 'nope'"):
        rw(["fit", "--plugin", "nope"], calls)


def test_unknown_plugin_through_the_real_registry(adaline_registry, tmp_path, monkeypatch):
    """The CLI's own ``plugin_config`` suggests the close match and names what is installed."""
    from landmark.cli import run

    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError) as info:
        run(["fit", "--plugin", "adaline196"], plugins=adaline_registry)
    msg = str(info.value)
    assert "'adaline196'" in msg and "did you mean adaline1960" in msg
    assert list(tmp_path.iterdir()) == []


def test_plugin_given_twice(calls):
    with pytest.raises(UsageError, match="more than once"):
        rw(["fit", "--plugin", "known", "--plugin=known"], calls)


@pytest.mark.parametrize("flag", ["--plugin", "--config", "--ckpt_path"])
def test_a_flag_without_its_value(flag, calls):
    with pytest.raises(UsageError, match=f"{flag} needs a value"):
        rw(["fit", flag], calls)


def test_plugin_and_checkpoint_keep_the_checkpoint_path(calls):
    """With ``--plugin`` the checkpoint is resumed, not used as the config source."""
    out = rw(["fit", "--plugin", "known", "--ckpt_path", "last"], calls)
    assert out == ["fit", "--config", PLUGIN_YAML.format(name="known"), "--ckpt_path", "last"]
    assert calls.checkpoints == []


def test_missing_checkpoint_with_plugin_is_a_usage_error(in_tmp, calls):
    with pytest.raises(UsageError, match="nothere.ckpt"):
        rw(["fit", "--plugin", "known", "--ckpt_path", "nothere.ckpt"], calls)


# --- a bare --ckpt_path carries its config (Lightning #16014) ----------------------------------


@pytest.mark.parametrize("form", ["space", "equals"])
def test_bare_checkpoint_injects_its_config(form, in_tmp, calls):
    (in_tmp / "x.ckpt").write_bytes(b"checkpoint")
    ckpt = ["--ckpt_path", "x.ckpt"] if form == "space" else ["--ckpt_path=x.ckpt"]
    out = rw(["test", *ckpt, "--trainer.devices", "1"], calls)
    assert out == ["test", "--config", calls.stored, *ckpt, "--trainer.devices", "1"]
    assert calls.checkpoints == ["x.ckpt"]


def test_the_last_checkpoint_flag_wins(in_tmp, calls):
    (in_tmp / "a.ckpt").write_bytes(b"a")
    (in_tmp / "b.ckpt").write_bytes(b"b")
    out = rw(["validate", "--ckpt_path", "a.ckpt", "--ckpt_path", "b.ckpt"], calls)
    assert out[:3] == ["validate", "--config", calls.stored]
    assert calls.checkpoints == ["b.ckpt"]


@pytest.mark.parametrize("word", ["last", "best", "hpc", "registry"])
def test_lightning_checkpoint_words_are_left_to_lightning(word, calls):
    assert rw(["fit", "--ckpt_path", word], calls) == ["fit", "--ckpt_path", word]
    assert calls.checkpoints == []


@pytest.mark.parametrize(
    "extra",
    [["--config", "run.yaml"], ["--config=run.yaml"], ["--model", "Adaline"], ["--model=Adaline"]],
)
def test_no_injection_when_the_run_is_described(extra, in_tmp, calls):
    (in_tmp / "x.ckpt").write_bytes(b"checkpoint")
    out = rw(["test", "--ckpt_path", "x.ckpt", *extra], calls)
    assert out == ["test", "--ckpt_path", "x.ckpt", *extra]
    assert calls.checkpoints == []


def test_missing_bare_checkpoint(in_tmp, calls):
    with pytest.raises(UsageError, match="checkpoint 'gone.ckpt' does not exist"):
        rw(["test", "--ckpt_path", "gone.ckpt"], calls)
    assert calls.checkpoints == []


def test_checkpoint_folder_is_not_a_checkpoint(in_tmp, calls):
    (in_tmp / "ckpts").mkdir()
    with pytest.raises(UsageError, match="'ckpts'"):
        rw(["test", "--ckpt_path", "ckpts"], calls)


def test_checkpoint_without_a_landmark_config(in_tmp):
    (in_tmp / "plain.ckpt").write_bytes(b"checkpoint")
    calls = Calls(stored=None)
    with pytest.raises(UsageError, match="'plain.ckpt' holds no landmark config.*--config or --plugin"):
        rw(["test", "--ckpt_path", "plain.ckpt"], calls)


# --- config files are checked before the parser sees them --------------------------------------


def usage_error(path: str) -> str:
    with pytest.raises(UsageError) as info:
        check_config_file(path)
    msg = str(info.value)
    assert repr(path) in msg  # every message names the file the user typed
    return msg


def test_valid_config_files_pass(in_tmp):
    check_config_file("run.yaml")
    (in_tmp / "empty.yaml").write_text("")  # an empty file is an empty config
    check_config_file("empty.yaml")
    (in_tmp / "comments.yaml").write_text("# nothing yet\n")
    check_config_file("comments.yaml")


def test_missing_config_file(in_tmp):
    assert "does not exist" in usage_error("nothere.yaml")


def test_broken_symlink_config_file(in_tmp):
    (in_tmp / "link.yaml").symlink_to(in_tmp / "gone.yaml")
    assert "does not exist" in usage_error("link.yaml")


def test_folder_config_file(in_tmp):
    (in_tmp / "configs").mkdir()
    assert "is a folder" in usage_error("configs")


def test_config_file_without_read_permission(in_tmp, monkeypatch):
    # Tests may run as root, whom permission bits do not stop; os.access is what the core asks.
    real_access = os.access
    monkeypatch.setattr(argv.os, "access", lambda p, mode: False if str(p) == "run.yaml" else real_access(p, mode))
    assert "not readable" in usage_error("run.yaml")


def test_config_file_that_cannot_be_decoded(in_tmp):
    (in_tmp / "binary.yaml").write_bytes(b"\xff\xfe\x00\x01 not text")
    assert "cannot be read" in usage_error("binary.yaml")


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs Linux /proc")
def test_config_file_the_os_refuses_to_read(in_tmp):
    # Reading /proc/self/mem from offset 0 fails with EIO even for root: a truly unreadable file.
    (in_tmp / "mem.yaml").symlink_to("/proc/self/mem")
    assert "cannot be read" in usage_error("mem.yaml")


@pytest.mark.parametrize(
    "text, line",
    [
        ("model:\n  init_args:\n\tmu: 0.02\n", 3),  # a tab cannot start a token
        ("trainer:\n  max_epochs: 2\n  devices: [1, 2\nmodel: {}\n", 4),
        ("a: 1\nb: : 2\n", 2),
    ],
)
def test_yaml_syntax_error_names_the_line(text, line, in_tmp):
    (in_tmp / "bad.yaml").write_text(text)
    msg = usage_error("bad.yaml")
    assert "not valid YAML" in msg
    assert f"line {line}," in msg


@pytest.mark.parametrize("text, kind", [("- 1\n- 2\n", "list"), ("just a string\n", "str"), ("42\n", "int")])
def test_config_file_must_hold_a_mapping(text, kind, in_tmp):
    (in_tmp / "flat.yaml").write_text(text)
    msg = usage_error("flat.yaml")
    assert "must hold a mapping" in msg and kind in msg


@pytest.mark.parametrize("position", ["before", "after"])
def test_rewrite_checks_config_files_wherever_they_are(position, in_tmp, calls):
    (in_tmp / "bad.yaml").write_text("a: [1\n")
    args = ["--config", "bad.yaml", "fit"] if position == "before" else ["fit", "--config=bad.yaml"]
    with pytest.raises(UsageError, match="'bad.yaml' is not valid YAML at line"):
        rw(args, calls)


def test_missing_config_is_reported_even_with_a_plugin(in_tmp, calls):
    with pytest.raises(UsageError, match="'nothere.yaml' does not exist"):
        rw(["fit", "--plugin", "known", "--config", "nothere.yaml"], calls)


def test_inline_yaml_configs_are_not_taken_for_files(calls):
    out = rw(["fit", "--config", '{"trainer": {"max_epochs": 1}}'], calls)
    assert out == ["fit", "--config", '{"trainer": {"max_epochs": 1}}']
