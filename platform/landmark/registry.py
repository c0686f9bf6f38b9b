"""Plugin discovery through the entry-point group ``landmark.plugins``.

One mechanism, no side doors: first-party plugins are found exactly as third-party ones are.
A plugin that fails to load is recorded with its reason and skipped; it never breaks the others.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Iterable

from landmark.plugin import Plugin

GROUP = "landmark.plugins"

__all__ = ["GROUP", "Broken", "Registry", "discover", "registry"]


@dataclass(frozen=True)
class Broken:
    name: str
    distribution: str
    reason: str


@dataclass(frozen=True)
class Loaded:
    plugin: Plugin
    distribution: str
    version: str


class Registry:
    def __init__(self, loaded: dict[str, Loaded], broken: list[Broken]) -> None:
        self._loaded = loaded
        self.broken = broken

    def __contains__(self, name: str) -> bool:
        return name in self._loaded

    def __iter__(self):
        return iter(self._loaded[name].plugin for name in sorted(self._loaded))

    def __len__(self) -> int:
        return len(self._loaded)

    def names(self) -> list[str]:
        return sorted(self._loaded)

    def get(self, name: str) -> Plugin:
        if name not in self._loaded:
            raise KeyError(self.unknown_message(name))
        return self._loaded[name].plugin

    def origin(self, name: str) -> tuple[str, str]:
        """(distribution, version) that provides the plugin ``name``."""
        entry = self._loaded[name]
        return entry.distribution, entry.version

    def for_model(self, model_cls: type) -> Plugin | None:
        """The plugin whose LightningModule is ``model_cls`` or a base class of it."""
        for cls in model_cls.__mro__:
            for entry in self._loaded.values():
                if entry.plugin.model is cls:
                    return entry.plugin
        return None

    def unknown_message(self, name: str) -> str:
        close = difflib.get_close_matches(name, self.names(), n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        return f"unknown plugin {name!r}{hint} Installed plugins: {', '.join(self.names()) or 'none'}"


def _dist(ep: EntryPoint) -> tuple[str, str]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return "?", "?"
    return dist.metadata["Name"], dist.version


def discover(eps: Iterable[EntryPoint] | None = None) -> Registry:
    """Load every entry point of the group; ``eps`` replaces the installed ones (tests)."""
    if eps is None:
        eps = entry_points(group=GROUP)
    loaded: dict[str, Loaded] = {}
    broken: list[Broken] = []
    seen: dict[str, str] = {}
    for ep in sorted(eps, key=lambda e: e.name):
        dist, version = _dist(ep)
        try:
            obj = ep.load()
        except (Exception, SystemExit) as e:  # a broken plugin is reported, never fatal
            broken.append(Broken(ep.name, dist, f"import failed: {type(e).__name__}: {e}"))
            continue
        if not isinstance(obj, Plugin):
            broken.append(Broken(ep.name, dist, f"{ep.value} is a {type(obj).__name__}, not a landmark.Plugin"))
            continue
        if obj.name != ep.name:
            broken.append(Broken(ep.name, dist, f"entry point {ep.name!r} holds plugin named {obj.name!r}"))
            continue
        if obj.name in seen:
            # Duplicate names are errors: neither copy is trusted to be the one the user meant.
            broken.append(Broken(ep.name, dist, f"duplicate plugin name {obj.name!r} (also in {seen[obj.name]})"))
            other = loaded.pop(obj.name, None)
            if other is not None:
                broken.append(
                    Broken(obj.name, other.distribution, f"duplicate plugin name {obj.name!r} (also in {dist})")
                )
            continue
        seen[obj.name] = dist
        loaded[obj.name] = Loaded(obj, dist, version)
    return Registry(loaded, broken)


_registry: Registry | None = None


def registry() -> Registry:
    """The installed plugins, discovered once per process."""
    global _registry
    if _registry is None:
        _registry = discover()
    return _registry
