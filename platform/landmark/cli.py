"""``landmark``: one ``main()`` over LightningCLI, plus the platform's own commands.

    landmark fit|validate|test|predict --config X.yaml [--trainer.max_epochs 3] [--model.lr 0.01]
    landmark fit --plugin lenet1989            # a plugin's default run, no YAML written
    landmark test --ckpt_path runs/.../last.ckpt  # the checkpoint carries its config
    landmark plugins [--json] [--show NAME]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any, Literal, Optional, Sequence

import yaml
from lightning.fabric.utilities.exceptions import MisconfigurationException
from lightning.pytorch.cli import LightningArgumentParser, LightningCLI

from landmark import argv as argv_rewrite
from landmark.data import DataNotFound
from landmark.errors import UsageError
from landmark.registry import Registry, registry
from landmark.training import MemoryFormat, RunRecord, Throughput, checkpoint_callbacks, read_record

__all__ = ["LandmarkCLI", "main", "run"]

USAGE = """\
usage: landmark fit|validate|test|predict [--config X.yaml] [--plugin NAME] [--ckpt_path P] [--key.sub VALUE ...]
       landmark plugins [--json] [--show NAME]
       landmark reproduce NAME [--experiment E] [--budget quick|paper]
       landmark data list|fetch NAME|verify [NAME]|stage NAME --from DIR

  landmark fit --plugin NAME                  train a plugin's default run (no YAML needed)
  landmark fit --config X.yaml --trainer.max_epochs 3 --model.lr 0.01
  landmark fit --config X.yaml --ckpt_path last   resume the run's last checkpoint
  landmark test --ckpt_path runs/NAME/checkpoints/last.ckpt   (the checkpoint carries its config)
  landmark fit --plugin NAME --help           every option of that plugin's model, data and trainer
  landmark data list                          each dataset, its size, where its files are (landmark data --help)
"""

_RUN_SECTIONS = ("seed_everything", "threads", "memory_format", "name", "model", "data", "trainer")


class LandmarkCLI(LightningCLI):
    """LightningCLI with the platform's defaults: any installed plugin's classes, TensorBoard
    logs and checkpoints under ``<default_root_dir>/<name>``, throughput, self-describing
    checkpoints, and bad input reported as ``UsageError``."""

    def __init__(self, args: Sequence[str], plugins: Registry, run: bool = True) -> None:
        self.plugins = plugins
        no_exit = {"exit_on_error": False}
        super().__init__(
            model_class=None,
            datamodule_class=None,
            subclass_mode_model=True,
            subclass_mode_data=True,
            trainer_defaults={"default_root_dir": "runs"},
            seed_everything_default=0,
            save_config_kwargs={"overwrite": True},
            parser_kwargs={**no_exit, **{s: dict(no_exit) for s in argv_rewrite.SUBCOMMANDS}},
            args=list(args),
            run=run,
        )

    def add_arguments_to_parser(self, parser: LightningArgumentParser) -> None:
        parser.add_argument(
            "--threads",
            type=Optional[int],
            default=None,
            help="torch.set_num_threads for this run (tiny nets often run faster on one thread).",
        )
        parser.add_argument(
            "--memory_format",
            type=Literal["auto", "channels_last", "contiguous"],
            default="auto",
            help="Layout of convolution weights: auto picks channels_last for models with Conv2d "
            "layers (faster on CPU and GPU), contiguous otherwise.",
        )
        parser.add_argument(
            "--name",
            type=Optional[str],
            default=None,
            help="Run name: logs go to <default_root_dir>/<name>/version_N and checkpoints to "
            "<default_root_dir>/<name>/checkpoints (default: the plugin's name).",
        )

    def parse_arguments(self, parser: LightningArgumentParser, args: Any) -> None:
        # LightningCLI warns when both sys.argv and args are set; ours are always the rewritten argv.
        try:
            self.config = parser.parse_args(args)
        except argparse.ArgumentError as e:
            msg = _short(str(e))
            for key, attr in (("model", "model"), ("data", "datamodule")):
                if msg.startswith(f"{key}:") and "import path" in msg:
                    valid = sorted({getattr(p, attr).__name__ for p in self.plugins})
                    msg += f"; installed {key} classes: {', '.join(valid)}"
            raise UsageError(msg) from None

    def before_instantiate_classes(self) -> None:
        threads = self._get(self.config, "threads")
        if threads is not None:
            if threads < 1:
                raise UsageError(f"--threads must be >= 1, got {threads}")
            import torch

            torch.set_num_threads(threads)

    def instantiate_classes(self) -> None:
        try:
            self.config_init = self.parser.instantiate(self.config)
        except Exception as e:  # a constructor refused a value: the user's config is wrong
            raise UsageError(f"the config's values were refused: {type(e).__name__}: {_short(str(e))}") from None
        self.datamodule = self._get(self.config_init, "data")
        self.model = self._get(self.config_init, "model")
        self._add_configure_optimizers_method_to_model(self.subcommand)
        try:
            self.trainer = self.instantiate_trainer()
        except (ValueError, TypeError, MisconfigurationException) as e:
            raise UsageError(f"trainer: {e}") from None

    def instantiate_trainer(self, **kwargs: Any):
        from lightning.pytorch.callbacks import ModelCheckpoint
        from lightning.pytorch.loggers import TensorBoardLogger

        plugin = self.plugins.for_model(type(self.model))
        cfg = dict(self._get(self.config_init, "trainer", default={}))
        root = Path(cfg.get("default_root_dir") or "runs")
        name = self._get(self.config, "name") or (plugin.name if plugin else type(self.model).__name__.lower())
        if cfg.get("logger") in (None, True):
            cfg["logger"] = TensorBoardLogger(save_dir=str(root), name=name, default_hp_metric=False)
        callbacks = list(cfg.get("callbacks") or [])
        if cfg.get("enable_checkpointing") is not False and not any(isinstance(c, ModelCheckpoint) for c in callbacks):
            monitor, mode = (plugin.monitor, plugin.mode) if plugin else (None, "min")
            callbacks += checkpoint_callbacks(root / name / "checkpoints", monitor, mode)
        callbacks.append(Throughput())
        callbacks.append(MemoryFormat(self._get(self.config, "memory_format") or "auto"))
        dist, version = self.plugins.origin(plugin.name) if plugin else ("?", "?")
        callbacks.append(RunRecord(plugin.name if plugin else name, dist, version, self.run_config_yaml()))
        cfg["callbacks"] = callbacks
        cfg.update(kwargs)
        extra = [self._get(self.config_init, c) for c in self._parser(self.subcommand).callback_keys]
        return self._instantiate_trainer(cfg, extra)

    def after_fit(self) -> None:
        """Say where the run went and how it ended (rank zero only)."""
        t = self.trainer
        if not t.is_global_zero:
            return
        metrics = {k: float(v) for k, v in sorted(t.callback_metrics.items()) if v.numel() == 1}
        print("\nlandmark: final metrics: " + ", ".join(f"{k}={v:.6g}" for k, v in metrics.items()))
        if t.logger is not None and t.logger.log_dir:
            print(f"landmark: logs: {t.logger.log_dir}  (tensorboard --logdir {Path(t.logger.log_dir).parent})")
        saved = [c for c in t.checkpoint_callbacks if c.dirpath]
        if saved:
            last = next((c.last_model_path for c in saved if c.last_model_path), "")
            best = next((c.best_model_path for c in saved if c.monitor and c.best_model_path), "")
            print(f"landmark: checkpoints: {saved[0].dirpath} (last: {last}" + (f", best: {best})" if best else ")"))

    def run_config_yaml(self) -> str:
        """The resolved run config (model, data, trainer, seed...) as YAML text."""
        parser = self._parser(self.subcommand)
        section = self.config[self.subcommand] if self.subcommand else self.config
        full = yaml.safe_load(parser.dump(section, skip_unset=False, skip_link_targets=False))
        return yaml.safe_dump({k: full[k] for k in _RUN_SECTIONS if k in full}, sort_keys=False)


_NOISE = ("Parser key", "Subtypes:", "Errors:", "Does not validate", "Given value type", "Problem with given class_path")


def _short(message: str) -> str:
    """jsonargparse explains every member of a union; say which key, what it wanted, what it got."""
    keys = list(dict.fromkeys(re.findall(r'Parser key "([^"]+)"', message)))
    details, given = [], None
    for line in message.splitlines():
        s = line.strip().lstrip("-").strip()
        if not s or "NoneType" in s or s.startswith(_NOISE):
            continue
        if s.startswith("Given value:"):
            given = None if "NestedArg" in s else s.split(":", 1)[1].strip()
            continue
        details.append(re.sub(r"<class '([\w.]+)'>", r"\1", s))
    text = "; ".join(dict.fromkeys(details[:3])) or message.strip()
    if given is not None and "Got value" not in text:
        text += f" (got {given!r})"
    return f"{'.'.join(keys)}: {text}" if keys else text


def _plugin_config(reg: Registry):
    def config_for(name: str) -> str:
        if name not in reg:
            raise UsageError(reg.unknown_message(name))
        return yaml.safe_dump(reg.get(name).default_config(), sort_keys=False)

    return config_for


def _checkpoint_config(path: str) -> str | None:
    record = read_record(path)
    return None if record is None else record.get("config")


def _warn_broken(reg: Registry) -> None:
    if os.environ.get("LOCAL_RANK", "0") != "0":
        return
    for b in reg.broken:
        print(f"landmark: warning: plugin {b.name!r} from {b.distribution} skipped: {b.reason}", file=sys.stderr)


def run(args: Sequence[str], plugins: Registry | None = None, run: bool = True) -> LandmarkCLI:
    """Run ``landmark fit|validate|test|predict ...`` in this process and return the CLI object
    (``.trainer``, ``.model``, ``.datamodule``). Raises ``UsageError`` for bad input."""
    reg = plugins if plugins is not None else registry()
    rewritten = argv_rewrite.rewrite(args, _plugin_config(reg), _checkpoint_config)
    if not run:  # build everything, train nothing: the parser then has no subcommands
        sub = next((i for i, a in enumerate(rewritten) if a in argv_rewrite.SUBCOMMANDS), None)
        if sub is not None:
            del rewritten[sub]
    return LandmarkCLI(rewritten, reg, run=run)


def _dispatch(args: list[str]) -> int:
    if args and args[0] == "plugins":
        from landmark.listing import plugins_command

        return plugins_command(args[1:], registry())
    if args and args[0] == "reproduce":
        from landmark.reproduce import reproduce_command

        return reproduce_command(args[1:], registry())
    if args and args[0] == "data":
        from landmark.datacmd import data_command

        return data_command(args[1:])
    reg = registry()
    _warn_broken(reg)
    if not args or (args[0] in ("-h", "--help") and len(args) == 1):
        print(USAGE)
    try:
        run(args, reg)
    except (DataNotFound, MisconfigurationException) as e:
        raise UsageError(str(e)) from None
    return 0


def main(args: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if args is None else args)
    try:
        code = _dispatch(args)
    except UsageError as e:
        print(f"landmark: error: {e}", file=sys.stderr)
        code = 2
    sys.exit(code)
