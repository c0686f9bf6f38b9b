"""``landmark`` end to end: the real console script in subprocesses, each in its own folder.

Only the example third-party plugin ``adaline1960`` is used (the first-party plugins may be
under construction). One 2-epoch run is shared by the tests that only read its results.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
import yaml

import landmark

PLUGIN = "adaline1960"
QUIET = ["--trainer.enable_progress_bar", "false"]
# Manual optimisation in ADALINE steps once per pattern: an epoch is `samples` optimizer steps.
SAMPLES = 200  # NoisyPatterns' default


def landmark_command() -> list[str]:
    """The console script of the interpreter running the tests (PATH may hold another one)."""
    beside = Path(sys.executable).with_name("landmark")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("landmark")
    return [found] if found else [sys.executable, "-m", "landmark"]


def subprocess_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
    for k in ("LOCAL_RANK", "NODE_RANK", "GLOBAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "CUDA_VISIBLE_DEVICES"):
        env.pop(k, None)
    env["PYTHONWARNINGS"] = "ignore"
    env["CUDA_VISIBLE_DEVICES"] = ""
    return env


@dataclass
class Result:
    args: list[str]
    cwd: Path
    rc: int
    out: str
    err: str

    def explain(self) -> str:
        return f"landmark {' '.join(self.args)} (in {self.cwd}) -> exit {self.rc}\n--- stdout\n{self.out[-4000:]}\n--- stderr\n{self.err[-4000:]}"


def landmark_run(args: list[str], cwd: Path, timeout: float = 300) -> Result:
    p = subprocess.run(
        landmark_command() + list(args), cwd=cwd, env=subprocess_env(), capture_output=True, text=True, timeout=timeout
    )
    return Result(list(args), Path(cwd), p.returncode, p.stdout, p.stderr)


def landmark_many(calls: list[tuple[list[str], Path]]) -> list[Result]:
    """Run several short commands two at a time (most of each is start-up)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda c: landmark_run(*c), calls))


def ok(r: Result) -> Result:
    assert r.rc == 0, r.explain()
    assert "Traceback" not in r.err, r.explain()
    return r


def load(path: Path) -> dict:
    return torch.load(path, map_location="cpu", weights_only=True)


def scalars(log_dir: Path, tag: str) -> list[tuple[int, float]]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(log_dir))
    acc.Reload()
    if tag not in acc.Tags()["scalars"]:
        return []
    return [(e.step, e.value) for e in acc.Scalars(tag)]


# --- landmark plugins ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def listing(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("listing")
    text, js, show = landmark_many([(["plugins"], cwd), (["plugins", "--json"], cwd), (["plugins", "--show", PLUGIN], cwd)])
    return {"text": ok(text), "json": ok(js), "show": ok(show), "cwd": cwd}


def test_plugins_lists_the_third_party_plugin(listing):
    out = listing["text"].out
    line = next(l for l in out.splitlines() if l.startswith(PLUGIN + " "))
    assert "Widrow & Hoff (1960)" in line and "Adaptive switching circuits" in line
    assert "from landmark-adaline 1.0.0" in out
    assert f"landmark fit --plugin {PLUGIN}" in out


def test_plugins_json(listing):
    data = json.loads(listing["json"].out)
    assert set(data) == {"plugins", "broken"}
    row = next(p for p in data["plugins"] if p["name"] == PLUGIN)
    assert row["paper"] == "Adaptive switching circuits"
    assert row["year"] == 1960
    assert row["distribution"] == "landmark-adaline"
    assert row["version"] == "1.0.0"
    assert row["model"] == "landmark_adaline.Adaline"
    assert row["monitor"] == "val_error (min)"
    assert row["results"][0]["metric"] == "val_error"
    assert PLUGIN not in {b["name"] for b in data["broken"]}


def test_plugins_show_prints_the_default_config(listing):
    from landmark_adaline import plugin

    out = listing["show"].out
    card, _, config = out.partition(f"# default config (landmark fit --plugin {PLUGIN}):")
    assert config, out
    info = yaml.safe_load(card)
    assert info["name"] == PLUGIN and info["distribution"] == "landmark-adaline" and info["version"] == "1.0.0"
    assert yaml.safe_load(config) == plugin.default_config()


def test_plugins_listing_writes_nothing(listing):
    assert list(listing["cwd"].iterdir()) == []


# --- one trained run, shared --------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """``landmark fit --plugin adaline1960`` for 2 epochs; its checkpoints are copied aside
    (``after_fit/``) before the resume test appends to the same run."""
    cwd = tmp_path_factory.mktemp("trained")
    r = ok(landmark_run(["fit", "--plugin", PLUGIN, *QUIET, "--trainer.max_epochs", "2"], cwd))
    shutil.copytree(cwd / "runs" / PLUGIN / "checkpoints", cwd / "after_fit")
    return r


def test_fit_trains_and_prints_the_final_metrics(trained):
    line = next((l for l in trained.out.splitlines() if l.startswith("landmark: final metrics:")), None)
    assert line is not None, trained.explain()
    for key in ("val_error=", "val_loss=", "train_loss=", "samples_per_sec="):
        assert key in line
    assert f"runs/{PLUGIN}/version_0" in trained.out


def test_fit_writes_last_and_best_checkpoints(trained):
    ckpts = trained.cwd / "after_fit"
    assert (ckpts / "last.ckpt").is_file()
    assert len(list(ckpts.glob("best-*.ckpt"))) == 1


def test_fit_logs_throughput_to_tensorboard(trained):
    log_dir = trained.cwd / "runs" / PLUGIN / "version_0"
    assert list(log_dir.glob("events.out.tfevents.*"))
    per_epoch = scalars(log_dir, "samples_per_sec")
    assert len(per_epoch) == 2  # once per training epoch
    assert all(v > 0 for _, v in per_epoch)
    assert len(scalars(log_dir, "val_error")) == 2


def test_fit_saves_the_resolved_config(trained):
    cfg = yaml.safe_load((trained.cwd / "runs" / PLUGIN / "version_0" / "config.yaml").read_text())
    assert cfg["model"]["class_path"] == "landmark_adaline.Adaline"
    assert cfg["model"]["init_args"]["mu"] == 0.01
    assert cfg["trainer"]["max_epochs"] == 2
    assert cfg["seed_everything"] == 0


@pytest.mark.parametrize("which", ["last.ckpt", "best"])
def test_checkpoints_are_self_describing(which, trained):
    ckpts = trained.cwd / "after_fit"
    path = ckpts / which if which == "last.ckpt" else next(ckpts.glob("best-*.ckpt"))
    record = load(path)["landmark"]  # weights_only=True: the record is plain data
    assert record["plugin"] == PLUGIN
    assert record["distribution"] == "landmark-adaline"
    assert record["version"] == "1.0.0"
    assert record["landmark_version"] == landmark.__version__
    cfg = yaml.safe_load(record["config"])
    assert cfg["model"]["class_path"] == "landmark_adaline.Adaline"
    assert cfg["data"]["class_path"] == "landmark_adaline.NoisyPatterns"
    assert cfg["trainer"]["max_epochs"] == 2
    assert "ckpt_path" not in cfg and "optimizer" not in cfg  # the run, not the invocation


def test_last_checkpoint_holds_the_final_step(trained):
    ckpt = load(trained.cwd / "after_fit" / "last.ckpt")
    assert (ckpt["epoch"], ckpt["global_step"]) == (1, 2 * SAMPLES)


def test_test_from_the_checkpoint_alone(trained, tmp_path):
    r = ok(landmark_run(["test", "--ckpt_path", str(trained.cwd / "after_fit" / "last.ckpt")], tmp_path))
    assert "test_error" in r.out, r.explain()
    # The run is named after the plugin the checkpoint records.
    assert (tmp_path / "runs" / PLUGIN).is_dir()


# --- resume -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def resumed(trained):
    runs = trained.cwd / "runs" / PLUGIN
    before = {p.name for p in runs.glob("version_*")}
    r = ok(landmark_run(["fit", "--plugin", PLUGIN, *QUIET, "--trainer.max_epochs", "4", "--ckpt_path", "last"], trained.cwd))
    (new,) = [p for p in runs.glob("version_*") if p.name not in before]
    return r, new


def test_resume_continues_rather_than_restarts(resumed, trained):
    r, log_dir = resumed
    ckpt = load(trained.cwd / "runs" / PLUGIN / "checkpoints" / "last.ckpt")
    assert ckpt["global_step"] == 4 * SAMPLES  # 4 epochs in all, not 4 more
    assert yaml.safe_load(ckpt["landmark"]["config"])["trainer"]["max_epochs"] == 4
    epochs = {int(v) for _, v in scalars(log_dir, "epoch")}
    assert epochs and 0 not in epochs and max(epochs) == 3, (epochs, r.explain())
    assert len(scalars(log_dir, "samples_per_sec")) < 4


def test_resume_trains_only_the_remaining_epochs(resumed):
    _, log_dir = resumed
    assert {int(v) for _, v in scalars(log_dir, "epoch")} == {2, 3}


# --- configs and overrides ----------------------------------------------------------------------


def test_config_before_the_subcommand_and_overrides(tmp_path):
    (tmp_path / "run.yaml").write_text(
        "name: fromfile\n"
        "trainer:\n  max_epochs: 1\n"
        "model:\n  init_args:\n    mu: 0.05\n"
        "data:\n  init_args:\n    samples: 40\n"
    )
    ok(landmark_run(["--config=run.yaml", "fit", "--plugin", PLUGIN, *QUIET, "--model.mu", "0.02"], tmp_path))

    run = tmp_path / "runs" / "fromfile"  # --name from the file
    cfg = yaml.safe_load((run / "version_0" / "config.yaml").read_text())
    assert cfg["model"]["init_args"]["mu"] == 0.02  # the command line beats the file...
    assert cfg["data"]["init_args"]["samples"] == 40  # ...which beats the plugin's default
    assert cfg["trainer"]["max_epochs"] == 1
    assert cfg["trainer"]["accelerator"] == "cpu"  # the plugin's default, kept
    ckpt = load(run / "checkpoints" / "last.ckpt")
    assert ckpt["hyper_parameters"]["mu"] == 0.02
    assert ckpt["global_step"] == 40


def test_print_config_prints_yaml_and_writes_nothing(tmp_path):
    r = ok(landmark_run(["fit", "--plugin", PLUGIN, "--model.mu", "0.02", "--print_config"], tmp_path))
    cfg = yaml.safe_load(r.out)
    assert cfg["model"]["class_path"] == "landmark_adaline.Adaline"
    assert cfg["model"]["init_args"]["mu"] == 0.02
    assert cfg["trainer"]["max_epochs"] == 5
    assert list(tmp_path.iterdir()) == []


# --- bad input: exit 2, one short message, nothing written --------------------------------------


def _unreadable(cwd: Path) -> str:
    path = cwd / "conf.yaml"
    if os.geteuid() != 0:
        path.write_text("trainer: {}\n")
        path.chmod(0)
    else:  # root reads whatever the mode bits say; the OS refuses to read /proc/self/mem
        path.symlink_to("/proc/self/mem")
    return "conf.yaml"


# The cases the CLI must get right in a real process; the rarer ones (folder, broken symlink,
# bad checkpoints, ...) are checked through main() in-process in test_main.py, to stay fast.
BAD_INPUT = {
    # case: (setup(cwd) -> None, args, texts the message must hold)
    "missing config": (None, ["fit", "--plugin", PLUGIN, "--config", "nothere.yaml"], ["'nothere.yaml'", "does not exist"]),
    "config is unreadable": (_unreadable, ["fit", "--config", "conf.yaml"], ["'conf.yaml'"]),
    "YAML syntax error": (
        lambda c: (c / "conf.yaml").write_text("trainer:\n  max_epochs: 1\nmodel:\n\tmu: 0.02\n"),
        ["fit", "--plugin", PLUGIN, "--config", "conf.yaml"],
        ["'conf.yaml'", "not valid YAML", "line 4,"],
    ),
    "unknown plugin": (None, ["fit", "--plugin", "adaline196"], ["'adaline196'", "did you mean adaline1960"]),
    "unknown key": (None, ["fit", "--plugin", PLUGIN, "--model.bogus", "1"], ["bogus"]),
    "wrong type": (None, ["fit", "--plugin", PLUGIN, "--model.mu", "abc"], ["model.mu", "abc"]),
    "wrong value": (None, ["fit", "--plugin", PLUGIN, "--trainer.max_epochs", "-3"], ["max_epochs", "-3"]),
    "missing checkpoint with plugin": (
        None,
        ["fit", "--plugin", PLUGIN, "--ckpt_path", "nothere.ckpt"],
        ["'nothere.ckpt'"],
    ),
}


@pytest.fixture(scope="module")
def bad_input_results(tmp_path_factory):
    calls, setups = [], {}
    for case, (setup, args, _) in BAD_INPUT.items():
        cwd = tmp_path_factory.mktemp("bad")
        if setup:
            setup(cwd)
        setups[case] = sorted(p.name for p in cwd.iterdir())
        calls.append((args + QUIET, cwd))
    results = landmark_many(calls)
    return {case: (r, setups[case]) for case, r in zip(BAD_INPUT, results)}


@pytest.mark.parametrize(
    "case",
    list(BAD_INPUT),
)
def test_bad_input_is_one_short_error(case, bad_input_results):
    r, files_before = bad_input_results[case]
    texts = BAD_INPUT[case][2]
    assert r.rc == 2, r.explain()
    assert "Traceback" not in r.err + r.out, r.explain()
    start = r.err.find("landmark: error:")
    assert start >= 0, r.explain()
    message = r.err[start:].strip()
    assert len(message.splitlines()) <= 3, r.explain()  # one short message, not a parser dump
    for text in texts:
        assert text in message, (text, r.explain())
    # Nothing was written: no runs/ folder, no new file.
    assert sorted(p.name for p in r.cwd.iterdir()) == files_before, r.explain()


# --- strategy and precision are configuration only ----------------------------------------------


def test_ddp_on_two_cpu_processes(tmp_path):
    r = ok(
        landmark_run(
            ["fit", "--plugin", PLUGIN, *QUIET, "--trainer.max_epochs", "1", "--data.samples", "40",
             "--trainer.strategy", "ddp", "--trainer.devices", "2", "--trainer.accelerator", "cpu"],
            tmp_path,
        )
    )
    assert r.out.count("landmark: final metrics:") == 1  # rank zero only
    ckpt = load(tmp_path / "runs" / PLUGIN / "checkpoints" / "last.ckpt")
    cfg = yaml.safe_load(ckpt["landmark"]["config"])
    assert cfg["trainer"]["strategy"] == "ddp" and str(cfg["trainer"]["devices"]) == "2"
    assert ckpt["global_step"] == 40 // 2  # each rank steps on its half of the patterns
    assert scalars(tmp_path / "runs" / PLUGIN / "version_0", "samples_per_sec")


def test_bf16_mixed_precision(tmp_path):
    r = ok(
        landmark_run(
            ["fit", "--plugin", PLUGIN, *QUIET, "--trainer.max_epochs", "1", "--data.samples", "40",
             "--trainer.precision", "bf16-mixed"],
            tmp_path,
        )
    )
    assert "landmark: final metrics:" in r.out
    ckpt = load(tmp_path / "runs" / PLUGIN / "checkpoints" / "last.ckpt")
    assert yaml.safe_load(ckpt["landmark"]["config"])["trainer"]["precision"] == "bf16-mixed"
