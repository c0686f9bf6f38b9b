"""Rewriting the command line before LightningCLI sees it.

Three conveniences live here, each a pure function of the argument list (so DDP's re-launched
children, which re-run the same command line, rewrite it the same way):

- ``--config`` given before the subcommand is moved after it (Lightning #19714: before the
  subcommand, LightningCLI expects a config nested under ``fit:``; users mean the run's config);
- ``--plugin NAME`` becomes the plugin's default config, given first so that any ``--config``
  or dotted override after it wins;
- a bare ``--ckpt_path X.ckpt`` with no config becomes the config stored in the checkpoint
  (Lightning #16014), so ``landmark test --ckpt_path X.ckpt`` needs nothing else.

Config files are checked here too (exists, readable, YAML syntax with the line), so a mistake
gets one short message instead of a parser traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import yaml

from landmark.errors import UsageError

SUBCOMMANDS = ("fit", "validate", "test", "predict")
_CONFIG_FLAGS = ("--config", "-c")


def _take_option(args: list[str], flags: Sequence[str]) -> list[tuple[int, str]]:
    """Find ``--flag value`` and ``--flag=value``; return (position, value) pairs."""
    found = []
    i = 0
    while i < len(args):
        a = args[i]
        for f in flags:
            if a == f:
                if i + 1 >= len(args):
                    raise UsageError(f"{f} needs a value")
                found.append((i, args[i + 1]))
                break
            if a.startswith(f + "="):
                found.append((i, a[len(f) + 1 :]))
                break
        i += 1
    return found


_FLAGS = ("--config", "-c", "--plugin", "--ckpt_path")


def _remove(args: list[str], pos: int) -> tuple[list[str], str]:
    """Drop the option at ``pos`` (``--flag value`` or ``--flag=value``) and return its value."""
    a = args[pos]
    if a in _FLAGS:
        return args[:pos] + args[pos + 2 :], args[pos + 1]
    return args[:pos] + args[pos + 1 :], a.split("=", 1)[1]


def check_config_file(path: str) -> None:
    """Raise ``UsageError`` unless ``path`` is a readable YAML mapping."""
    p = Path(path)
    if not p.exists():
        raise UsageError(f"config file {path!r} does not exist")
    if p.is_dir():
        raise UsageError(f"config file {path!r} is a folder, not a YAML file")
    if not os.access(p, os.R_OK):
        raise UsageError(f"config file {path!r} is not readable (permissions)")
    try:
        text = p.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"config file {path!r} cannot be read: {e}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise UsageError(f"config file {path!r} is not valid YAML{where}: {problem}") from None
    if data is not None and not isinstance(data, dict):
        raise UsageError(f"config file {path!r} must hold a mapping of keys (model:, data:, trainer:), got {type(data).__name__}")


def rewrite(args: Sequence[str], plugin_config, checkpoint_config) -> list[str]:
    """Return the argument list LightningCLI should parse.

    ``plugin_config(name) -> str`` gives a plugin's default config as YAML (raising
    ``UsageError`` for an unknown name); ``checkpoint_config(path) -> str | None`` the config
    stored in a checkpoint.
    """
    args = list(args)
    sub = next((i for i, a in enumerate(args) if a in SUBCOMMANDS), None)
    if sub is None:
        return args
    head, subcommand, tail = args[:sub], args[sub], args[sub + 1 :]
    # Config flags before the subcommand belong to the run (#19714).
    moved: list[str] = []
    for pos, _ in reversed(_take_option(head, _CONFIG_FLAGS)):
        head, value = _remove(head, pos)
        moved = ["--config", value] + moved
    tail = moved + tail
    for pos, value in _take_option(tail, _CONFIG_FLAGS):
        if not value.lstrip().startswith("{") and "\n" not in value:
            check_config_file(value)

    ckpts = _take_option(tail, ("--ckpt_path",))
    for _, path in ckpts:
        if path not in ("last", "best", "hpc", "registry") and not Path(path).is_file():
            raise UsageError(f"checkpoint {path!r} does not exist (or give 'last' to resume the run's last checkpoint)")
    plugins = _take_option(tail, ("--plugin",))
    if len(plugins) > 1:
        raise UsageError("--plugin given more than once")
    prefix: list[str] = []
    if plugins:
        tail, name = _remove(tail, plugins[0][0])
        prefix = ["--config", plugin_config(name)]
    elif not _take_option(tail, _CONFIG_FLAGS) and not any(a == "--model" or a.startswith("--model=") for a in tail):
        if ckpts and ckpts[-1][1] not in ("last", "best", "hpc", "registry"):
            path = ckpts[-1][1]
            stored = checkpoint_config(path)
            if stored is None:
                raise UsageError(
                    f"checkpoint {path!r} holds no landmark config; give the run's config with --config or --plugin"
                )
            prefix = ["--config", stored]
    return head + [subcommand] + prefix + tail
