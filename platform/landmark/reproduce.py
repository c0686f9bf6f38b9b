"""``landmark reproduce NAME``: run the configs of a plugin's paper card and set the numbers the
run measures beside the numbers the paper (and public reproductions) report.

Each distinct (config, budget) is trained once, in this process, through the same command line
users run; every ``Reported`` row of that config is then read from the run's metrics (after
``fit``, or after ``test`` for a metric only the test loop logs). The table is printed and
written as Markdown and JSON beside the logs, so docs pages can be built from real runs.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from landmark.errors import UsageError
from landmark.plugin import Plugin, Reported
from landmark.registry import Registry

__all__ = ["reproduce_command", "resolve_config", "Row"]


@dataclass
class Row:
    experiment: str
    metric: str
    source: str
    reported: float
    measured: float | None
    seconds: float
    config: str
    note: str

    @property
    def difference(self) -> float | None:
        return None if self.measured is None else self.measured - self.reported


def resolve_config(plugin: Plugin, config: str) -> Path | None:
    """A card's config path: as given (from the working folder), else found by walking up from
    the plugin's package, where a project keeps ``configs/`` beside its code. ``""`` or
    ``"default"`` mean the plugin's default run (``None``)."""
    if config in ("", "default"):
        return None
    path = Path(config)
    if path.is_file():
        return path
    module = sys.modules.get(plugin.model.__module__)
    start = Path(module.__file__).resolve().parent if module and getattr(module, "__file__", None) else Path.cwd()
    for folder in (start, *start.parents):
        if (folder / config).is_file():
            return folder / config
    raise UsageError(f"plugin {plugin.name!r}: the card's config {config!r} is not found (from {Path.cwd()} or {start})")


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.4g}"


def _run(plugin: Plugin, config: Path | None, overrides: list[str], root: Path, name: str):
    from landmark.cli import run

    args = ["fit", *(["--config", str(config)] if config else ["--plugin", plugin.name])]
    args += [*overrides, "--trainer.default_root_dir", str(root), "--name", name]
    return run(args)


def _measure(cli, metric: str) -> float | None:
    metrics = cli.trainer.callback_metrics
    if metric not in metrics and metric.startswith("test"):
        cli.trainer.test(cli.model, datamodule=cli.datamodule, verbose=False)
        metrics = cli.trainer.callback_metrics
    value = metrics.get(metric)
    return None if value is None else float(value)


def reproduce(plugin: Plugin, rows: list[Reported], budget: str, root: Path, extra: list[str] = ()) -> list[Row]:
    runs: dict[tuple[str, str], tuple[object, float]] = {}
    out: list[Row] = []
    for r in rows:
        overrides = r.quick if budget == "quick" else ""
        key = (r.config, overrides)
        if key not in runs:
            config = resolve_config(plugin, r.config)
            name = f"{plugin.name}-{r.experiment}-{budget}"
            print(f"landmark: reproduce: {r.experiment} ({budget}): {config or 'default config'} {overrides}".rstrip())
            start = time.perf_counter()
            cli = _run(plugin, config, [*shlex.split(overrides), *extra], root, name)
            runs[key] = (cli, time.perf_counter() - start)
        cli, seconds = runs[key]
        note = r.quick_note if budget == "quick" and r.quick else r.note
        out.append(Row(r.experiment, r.metric, r.source, r.value, _measure(cli, r.metric), seconds, r.config, note))
    return out


def table_markdown(plugin: Plugin, budget: str, rows: list[Row]) -> str:
    lines = [
        f"# {plugin.name}: {plugin.card.authors} ({plugin.card.year}), budget `{budget}`",
        "",
        "| experiment | metric | source | reported | landmark | difference | run time | config | note |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        diff = "n/a" if r.difference is None else f"{r.difference:+.4g}"
        lines.append(
            f"| {r.experiment} | {r.metric} | {r.source} | {_fmt(r.reported)} | {_fmt(r.measured)} | {diff} "
            f"| {r.seconds:.1f} s | `{r.config}` | {r.note} |"
        )
    return "\n".join(lines) + "\n"


def reproduce_command(args: list[str], reg: Registry) -> int:
    parser = argparse.ArgumentParser(
        prog="landmark reproduce", description="Run a plugin's paper-card configs; print paper vs landmark."
    )
    parser.add_argument("name", help="the plugin (landmark plugins lists them)")
    parser.add_argument("--experiment", action="append", help="only this experiment (repeatable)")
    parser.add_argument(
        "--budget",
        choices=("quick", "paper"),
        default="quick",
        help="quick: minutes on a laptop CPU (each row says how it differs); paper: the full schedule",
    )
    parser.add_argument("--root", default="runs", help="where the runs and the tables go (default: runs)")
    try:
        # Anything else is an override for every run, e.g. --trainer.accelerator gpu.
        ns, extra = parser.parse_known_args(args)
    except SystemExit as e:
        if e.code:
            raise UsageError("see `landmark reproduce --help`") from None
        return 0
    if ns.name not in reg:
        raise UsageError(reg.unknown_message(ns.name))
    plugin = reg.get(ns.name)
    rows = list(plugin.card.results)
    if ns.experiment:
        known = sorted({r.experiment for r in rows})
        unknown = [e for e in ns.experiment if e not in known]
        if unknown:
            raise UsageError(f"plugin {ns.name!r} has no experiment {unknown[0]!r}; its card has: {', '.join(known)}")
        rows = [r for r in rows if r.experiment in ns.experiment]
    if not rows:
        raise UsageError(f"plugin {ns.name!r} reports no results in its card")
    for r in rows:  # every config must exist before anything trains
        resolve_config(plugin, r.config)
    root = Path(ns.root)
    results = reproduce(plugin, rows, ns.budget, root, extra)
    md = table_markdown(plugin, ns.budget, results)
    out = root / plugin.name / f"reproduce-{ns.budget}"
    out.parent.mkdir(parents=True, exist_ok=True)
    Path(f"{out}.md").write_text(md)
    Path(f"{out}.json").write_text(
        json.dumps(
            {
                "plugin": plugin.name,
                "budget": ns.budget,
                "rows": [{**r.__dict__, "difference": r.difference} for r in results],
            },
            indent=2,
        )
    )
    print()
    print(md)
    print(f"landmark: reproduce: written {out}.md and {out}.json")
    return 0
