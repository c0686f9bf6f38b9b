"""The plugin contract: what a package hands the platform to have its paper trained.

A plugin is one ``Plugin`` object exposed through the entry-point group ``landmark.plugins``::

    [project.entry-points."landmark.plugins"]
    lenet1989 = "landmark.plugins.lenet1989:plugin"

The platform never names a plugin: everything it needs to train, log, checkpoint and
reproduce a paper is carried here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

import lightning.pytorch as L

__all__ = ["Plugin", "PaperCard", "Reported", "PluginError"]


class PluginError(TypeError):
    """A plugin object that breaks the contract (wrong types, bad name, bad card)."""


@dataclass(frozen=True)
class Reported:
    """One number that a paper (or a named public reproduction) reports.

    ``config`` is the YAML under ``configs/`` that reproduces it on this platform, and
    ``metric`` the name that run logs (``trainer.callback_metrics``), so a reproduction can
    be read off a real run and set beside ``value``.
    """

    experiment: str
    metric: str
    value: float
    config: str
    source: str = "paper"  # "paper", or the reproduction's name, e.g. "karpathy/lecun1989-repro"
    where: str = ""  # table, figure or section, e.g. "Table 1"
    note: str = ""
    # ``landmark reproduce --budget quick``: overrides appended to the config's command line
    # (e.g. "--trainer.max_epochs 3") so the run finishes in minutes on a laptop CPU, and how
    # that differs from the paper's schedule. Empty: the config is already quick.
    quick: str = ""
    quick_note: str = ""


@dataclass(frozen=True)
class PaperCard:
    title: str
    authors: str
    year: int
    venue: str
    url: str = ""
    results: tuple[Reported, ...] = ()
    summary: str = ""


@dataclass(frozen=True)
class Plugin:
    """Everything the platform needs to train one paper.

    Args:
        name: the plugin's name, as users type it (``landmark fit --plugin NAME``); lower case,
            letters, digits and ``_``.
        model: the LightningModule class.
        datamodule: the default LightningDataModule class.
        card: the paper card.
        config: the default run, as the sections of a ``landmark fit`` config (``model``,
            ``data``, ``trainer``, ``seed_everything``, ``threads``, ``name``); ``model``/``data`` hold the
            constructor arguments of ``model``/``datamodule`` (``init_args``) and may name
            another class with ``class_path``.
        monitor: the metric the best checkpoint is chosen by, and ``mode`` its direction.
    """

    name: str
    model: type
    datamodule: type
    card: PaperCard
    config: Mapping[str, Any] = field(default_factory=dict)
    monitor: str = "val_loss"
    mode: Literal["min", "max"] = "min"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.replace("_", "").isalnum() or not self.name.islower():
            raise PluginError(f"plugin name {self.name!r} must be lower case letters, digits and '_'")
        if not (isinstance(self.model, type) and issubclass(self.model, L.LightningModule)):
            raise PluginError(f"plugin {self.name!r}: model {self.model!r} is not a LightningModule subclass")
        if not (isinstance(self.datamodule, type) and issubclass(self.datamodule, L.LightningDataModule)):
            raise PluginError(
                f"plugin {self.name!r}: datamodule {self.datamodule!r} is not a LightningDataModule subclass"
            )
        if not isinstance(self.card, PaperCard):
            raise PluginError(f"plugin {self.name!r}: card must be a landmark.PaperCard, got {type(self.card).__name__}")
        if self.mode not in ("min", "max"):
            raise PluginError(f"plugin {self.name!r}: mode must be 'min' or 'max', got {self.mode!r}")
        unknown = set(self.config) - {"model", "data", "trainer", "seed_everything", "threads", "memory_format", "name"}
        if unknown:
            raise PluginError(f"plugin {self.name!r}: config has unknown sections {sorted(unknown)}")

    def default_config(self) -> dict[str, Any]:
        """The default run as a ``landmark fit`` config, classes spelled out."""
        cfg: dict[str, Any] = {"seed_everything": 0}
        cfg.update({k: v for k, v in self.config.items() if k not in ("model", "data")})
        for key, cls in (("model", self.model), ("data", self.datamodule)):
            section = dict(self.config.get(key, {}))
            if "class_path" not in section:
                section = {"class_path": f"{cls.__module__}.{cls.__qualname__}", "init_args": section}
            cfg[key] = section
        return cfg
