"""The conformance kit: the checks every plugin passes, importable by third-party packages.

Each check is a function ``check(name, workdir)`` that raises ``AssertionError`` on failure; run
them from pytest with the plugin's name::

    import pytest
    from landmark import testing

    @pytest.mark.parametrize("check", testing.CHECKS, ids=testing.check_id)
    def test_conformance(check, tmp_path):
        check("my_plugin", tmp_path)

Runs go through the real ``landmark`` command line (in this process, or in a subprocess for
DDP, which re-launches the command), with the plugin's default config cut to a few batches.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, Sequence

import torch

from landmark.cli import LandmarkCLI, run
from landmark.registry import registry

__all__ = [
    "CHECKS",
    "run",
    "check_id",
    "quick_args",
    "quiet_trainer",
    "check_step",
    "check_fit",
    "check_checkpoint_round_trip",
    "check_bf16",
    "check_ddp",
    "check_config_file",
    "config_files",
]


def quiet_trainer(workdir: str | Path, **overrides):
    """A one-epoch CPU ``Trainer`` with no logger, checkpoints, progress bar, summary or sanity
    check: for a plugin's own unit tests of its model and data."""
    import lightning.pytorch as L

    args = dict(
        accelerator="cpu", devices=1, max_epochs=1, logger=False, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0, default_root_dir=workdir,
    )  # fmt: skip
    args.update(overrides)
    return L.Trainer(**args)


def quick_args(name: str, workdir: Path, batches: int = 2, epochs: int = 1) -> list[str]:
    """Overrides that turn a plugin's default run into a few-batch smoke run under ``workdir``."""
    return [
        "--plugin", name,
        "--trainer.default_root_dir", str(workdir / "runs"),
        "--trainer.max_epochs", str(epochs),
        "--trainer.limit_train_batches", str(batches),
        "--trainer.limit_val_batches", str(batches),
        "--trainer.limit_test_batches", str(batches),
        "--trainer.num_sanity_val_steps", "0",
        "--trainer.enable_progress_bar", "false",
        "--trainer.enable_model_summary", "false",
        "--trainer.accelerator", "cpu",
        "--trainer.devices", "1",
        "--trainer.strategy", "auto",
    ]  # fmt: skip


def _fit(name: str, workdir: Path, *extra: str) -> LandmarkCLI:
    return run(["fit", *quick_args(name, workdir), *extra])


def _finite_metrics(cli: LandmarkCLI) -> dict[str, float]:
    metrics = {k: float(v) for k, v in cli.trainer.callback_metrics.items() if v.numel() == 1}
    bad = {k: v for k, v in metrics.items() if not math.isfinite(v)}
    assert not bad, f"non-finite metrics: {bad}"
    return metrics


def _last_checkpoint(cli: LandmarkCLI) -> str:
    return next((c.last_model_path for c in cli.trainer.checkpoint_callbacks if c.last_model_path), "")


def check_step(name: str, workdir: Path) -> None:
    """A forward/backward on one tiny batch changes the trainable weights and leaves them finite."""
    plugin = registry().get(name)
    cli = run(["fit", *quick_args(name, workdir, batches=1), "--trainer.logger", "false",
               "--trainer.enable_checkpointing", "false", "--trainer.limit_val_batches", "0"], run=False)  # fmt: skip
    before = {k: v.detach().clone() for k, v in cli.model.named_parameters() if v.requires_grad}
    assert before, f"{plugin.model.__name__} has no trainable parameters"
    cli.trainer.fit(cli.model, datamodule=cli.datamodule)
    after = dict(cli.model.named_parameters())
    changed = [k for k, v in before.items() if not torch.equal(v, after[k].detach().cpu().to(v.dtype))]
    assert changed, f"one training step of {name} changed no parameter"
    for k, v in after.items():
        assert torch.isfinite(v).all(), f"parameter {k} is not finite after one step"


def check_fit(name: str, workdir: Path) -> None:
    """A short fit through the CLI logs finite metrics and writes last and best checkpoints."""
    cli = _fit(name, workdir)
    metrics = _finite_metrics(cli)
    plugin = registry().get(name)
    assert plugin.monitor in metrics, f"plugin monitors {plugin.monitor!r} but the run logged {sorted(metrics)}"
    assert Path(_last_checkpoint(cli)).is_file(), "no last checkpoint written"
    best = [c.best_model_path for c in cli.trainer.checkpoint_callbacks if c.monitor == plugin.monitor]
    assert best and Path(best[0]).is_file(), f"no best checkpoint by {plugin.monitor!r} written"


def check_checkpoint_round_trip(name: str, workdir: Path) -> None:
    """The last checkpoint loads with ``weights_only=True`` into an equal model: same weights,
    same validation metrics, and it names its plugin and config."""
    cli = _fit(name, workdir)
    path = _last_checkpoint(cli)
    raw = torch.load(path, map_location="cpu", weights_only=True)
    record = raw.get("landmark")
    assert record and record["plugin"] == name and "model:" in record["config"], "checkpoint is not self-describing"
    plugin = registry().get(name)
    loaded = plugin.model.load_from_checkpoint(path, map_location="cpu", weights_only=True)
    want, got = cli.model.state_dict(), loaded.state_dict()
    assert want.keys() == got.keys()
    for k in want:
        assert torch.equal(want[k].cpu(), got[k].cpu()), f"{k} differs after the round trip"
    m1 = cli.trainer.validate(cli.model, datamodule=cli.datamodule, verbose=False)
    m2 = cli.trainer.validate(loaded, datamodule=cli.datamodule, verbose=False)
    assert m1 == m2, f"validation differs after the round trip: {m1} vs {m2}"


def check_bf16(name: str, workdir: Path) -> None:
    """The run works under ``precision: bf16-mixed`` (CPU autocast) with finite metrics."""
    cli = _fit(name, workdir, "--trainer.precision", "bf16-mixed")
    _finite_metrics(cli)


def _landmark_command() -> list[str]:
    exe = shutil.which("landmark", path=str(Path(sys.executable).parent)) or shutil.which("landmark")
    return [exe] if exe else [sys.executable, "-m", "landmark"]


def check_ddp(name: str, workdir: Path, timeout: float = 300) -> None:
    """A 2-process DDP fit on CPU (gloo) through the real command, as users start it."""
    args = quick_args(name, workdir)
    for key, value in (("--trainer.devices", "2"), ("--trainer.strategy", "ddp")):
        args[args.index(key) + 1] = value
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(
        [*_landmark_command(), "fit", *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, f"DDP fit of {name} failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
    assert "final metrics" in proc.stdout, proc.stdout[-2000:]
    assert list((workdir / "runs").glob("*/checkpoints/last.ckpt")), "DDP run wrote no last checkpoint"


def check_config_file(path: str | Path) -> None:
    """A shipped YAML parses against the real signatures and its classes construct."""

    class ParseOnly(LandmarkCLI):
        def instantiate_classes(self) -> None:
            self.parser.instantiate(self.config)

    ParseOnly(["--config", str(path)], registry(), run=False)


def config_files(root: str | Path) -> list[Path]:
    return sorted(Path(root).glob("**/*.yaml"))


CHECKS: Sequence[Callable[[str, Path], None]] = (
    check_step,
    check_fit,
    check_checkpoint_round_trip,
    check_bf16,
    check_ddp,
)


def check_id(check: Callable) -> str:
    return check.__name__.removeprefix("check_")
