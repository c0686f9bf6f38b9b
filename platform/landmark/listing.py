"""``landmark plugins``: what is installed, from which distribution, and what failed to load."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

import yaml

from landmark.errors import UsageError
from landmark.registry import Registry


def _describe(reg: Registry, name: str) -> dict:
    p = reg.get(name)
    dist, version = reg.origin(name)
    return {
        "name": p.name,
        "paper": p.card.title,
        "authors": p.card.authors,
        "year": p.card.year,
        "venue": p.card.venue,
        "url": p.card.url,
        "distribution": dist,
        "version": version,
        "model": f"{p.model.__module__}.{p.model.__qualname__}",
        "datamodule": f"{p.datamodule.__module__}.{p.datamodule.__qualname__}",
        "monitor": f"{p.monitor} ({p.mode})",
        "default_config": p.default_config(),
        "results": [asdict(r) for r in p.card.results],
    }


def plugins_command(args: list[str], reg: Registry) -> int:
    parser = argparse.ArgumentParser(prog="landmark plugins", description="List the installed plugins.")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--show", metavar="NAME", help="print one plugin's card and its default config as YAML")
    try:
        ns = parser.parse_args(args)
    except SystemExit as e:
        return int(e.code or 0)
    if ns.show:
        if ns.show not in reg:
            raise UsageError(reg.unknown_message(ns.show))
        info = _describe(reg, ns.show)
        if ns.json:
            print(json.dumps(info, indent=2))
        else:
            config = info.pop("default_config")
            print(yaml.safe_dump(info, sort_keys=False).rstrip())
            print(f"# default config (landmark fit --plugin {ns.show}):")
            print(yaml.safe_dump(config, sort_keys=False).rstrip())
        return 0
    rows = [_describe(reg, n) for n in reg.names()]
    broken = [{"name": b.name, "distribution": b.distribution, "reason": b.reason} for b in reg.broken]
    if ns.json:
        print(json.dumps({"plugins": rows, "broken": broken}, indent=2))
        return 0
    if not rows:
        print("no plugins installed (entry-point group 'landmark.plugins')")
    for r in rows:
        print(f"{r['name']}  {r['authors']} ({r['year']}), \"{r['paper']}\", {r['venue']}")
        print(f"    from {r['distribution']} {r['version']}; model {r['model']}; data {r['datamodule']}")
        print(f"    default config: landmark fit --plugin {r['name']}   (see: landmark plugins --show {r['name']})")
        for res in r["results"]:
            print(f"    reported: {res['experiment']}: {res['metric']} = {res['value']:g} ({res['source']}) -> {res['config']}")
    for b in broken:
        print(f"BROKEN {b['name']}  from {b['distribution']}: {b['reason']}")
    return 0
