"""Why the family-tree net generalises less often than Nature's one run: each reading of the paper, measured.

Trains the plugin's ``LayeredNet`` with its ``PaperMomentum`` and ``error`` in a bare full-batch
loop (no Trainer: ~1 s a run on one core, and the same numbers as
``benchmarks/repro_backprop1986.py``, seed for seed: same initial weights, same split). Each
variant changes one thing from ``configs/backprop1986/family_trees.yaml``; every run trains all
1500 sweeps and is scored on its 4 held-out queries (a query is right when its answers are above
0.5 and everyone else below).

    python benchmarks/ablate_family_trees.py                       # every variant, seeds 0-9
    python benchmarks/ablate_family_trees.py --variants config --seeds 20
    python benchmarks/ablate_family_trees.py --per-query 2         # each of the 104 held out twice

``--per-query N`` holds out every query N times (N random partitions of the 104 into 26 groups
of 4, one run each) and prints the held-out rate per query and per relationship.
"""

from __future__ import annotations

import argparse
import collections
import time
from pathlib import Path

import torch
import yaml

from landmark.datamodules.backprop_tasks import RELATIONSHIPS, family_tree_cases
from landmark.plugins.backprop1986.model import LayeredNet, PaperMomentum

CONFIG = Path(__file__).resolve().parents[1] / "configs" / "backprop1986" / "family_trees.yaml"

# One change each from the shipped config; the comment says which reading of the paper it tests.
VARIANTS: dict[str, dict] = {
    "config": {},
    "caption": {"lr": 0.01, "init_range": 0.3},  # the Fig. 4 caption's eps, symmetry net's init
    "lr=0.01": {"lr": 0.01},  # caption's eps with U[-1, 1]
    "lr=0.02": {"lr": 0.02},
    "lr=0.05": {"lr": 0.05},
    "lr=0.2": {"lr": 0.2},
    "init=0.3": {"init_range": 0.3},
    "init=0.5": {"init_range": 0.5},
    "init=1.5": {"init_range": 1.5},
    "decay=0": {"weight_decay": 0.0},
    "decay=0.0002": {"weight_decay": 0.0002},  # 0.2% of eps-scaled decay (0.002 * eps) per sweep
    "decay=0.001": {"weight_decay": 0.001},
    "decay=0.005": {"weight_decay": 0.005},
    "decay=0.02": {"weight_decay": 0.02},  # the caption's eps/decay ratio (0.01/0.002) at eps 0.1
    "lr=0.05,decay=0.01": {"lr": 0.05, "weight_decay": 0.01},  # the same ratio at eps 0.05
    "biases_undecayed": {"decay_biases": False},  # "every weight": are biases weights here?
    "tolerance=0": {"tolerance": 0.0},  # plain eq. (3), no 0.2/0.8 band
    "tolerance=full": {"tolerance_mode": "full"},  # error y - d outside the band, 0 inside
    "sweeps=500": {"sweeps": 500},  # the UCI kinship notes' count
    "sweeps=3000": {"sweeps": 3000},
    "one_answer_per_case": {"split_answers": True},  # each (p1, r, p2) its own case, one target
}


def run(seed: int, split_seed: int | None = None, held: list[int] | None = None, sweeps: int = 1500,
        tolerance_mode: str = "shifted", split_answers: bool = False, decay_biases: bool = True,
        **overrides) -> list[bool]:
    """Train one net; return, for each held-out query, whether it is right."""
    cfg = yaml.safe_load(CONFIG.read_text())
    args = {**cfg["model"]["init_args"], **overrides}
    x, d, _ = family_tree_cases()
    if held is None:  # BackpropTasks' split
        gen = torch.Generator().manual_seed(seed if split_seed is None else split_seed)
        order = torch.randperm(len(x), generator=gen)
        held = order[: cfg["data"]["init_args"]["held_out"]].sort().values.tolist()
    train = [i for i in range(len(x)) if i not in held]
    xt, dt = x[train], d[train]
    if split_answers:
        cases = [(xt[i], j) for i in range(len(xt)) for j in dt[i].nonzero().flatten().tolist()]
        xt = torch.stack([c[0] for c in cases])
        dt = torch.nn.functional.one_hot(torch.tensor([c[1] for c in cases]), d.shape[1]).float()
    torch.manual_seed(seed)  # what seed_everything does to the weights
    model = LayeredNet(**args)
    opt = model.configure_optimizers()
    assert isinstance(opt, PaperMomentum)
    if not decay_biases:
        params = dict(model.named_parameters())
        opt = PaperMomentum([{"params": [p for n, p in params.items() if n.endswith("weight")]},
                             {"params": [p for n, p in params.items() if n.endswith("bias")], "weight_decay": 0.0}],
                            args["lr"], args["momentum"], args["weight_decay"])
    tol = args["tolerance"]
    for sweep in range(sweeps):
        warm = sweep < args["warmup_sweeps"]
        for g in opt.param_groups:
            g["lr"] = args["warmup_lr"] if warm else args["lr"]
            g["momentum"] = args["warmup_momentum"] if warm else args["momentum"]
        opt.zero_grad()
        y = model(xt)
        if tolerance_mode == "full":
            inside = torch.where(dt > 0.5, y > 1 - tol, y < tol)
            E = 0.5 * torch.where(inside, torch.zeros_like(y), y - dt).pow(2).sum()
        else:
            E = model.error(y, dt)
        E.backward()
        opt.step()
    with torch.no_grad():
        y = model(x[held])
    return (~((y > 0.5) != (d[held] > 0.5)).any(dim=1)).tolist()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS), metavar="NAME")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--per-query", type=int, default=0, metavar="N", help="hold out every query N times")
    args = ap.parse_args()
    torch.set_num_threads(1)  # a few hundred weights: one thread is fastest
    _, _, names = family_tree_cases()
    for name in args.variants:
        t0 = time.time()
        if args.per_query:
            hits, seen = collections.Counter(), collections.Counter()
            for p in range(args.per_query):
                order = torch.randperm(104, generator=torch.Generator().manual_seed(1000 + p)).tolist()
                for k in range(26):
                    held = sorted(order[4 * k: 4 * k + 4])
                    for i, ok in zip(held, run(100 * p + k, held=held, **VARIANTS[name])):
                        hits[i] += ok
                        seen[i] += 1
            print(f"{name}: held-out right {sum(hits.values())}/{sum(seen.values())} "
                  f"({sum(hits.values()) / sum(seen.values()):.0%}), every query held out {args.per_query}x "
                  f"[{time.time() - t0:.0f} s]")
            by_rel = collections.Counter(), collections.Counter()
            for i in seen:
                rel = RELATIONSHIPS.index(names[i].split()[1].removeprefix("has-"))
                by_rel[0][rel] += hits[i]
                by_rel[1][rel] += seen[i]
            print("  per relationship: " + ", ".join(
                f"{r} {by_rel[0][k]}/{by_rel[1][k]}" for k, r in enumerate(RELATIONSHIPS)))
            for i in sorted(seen):
                print(f"  {hits[i]}/{seen[i]}  {names[i]}")
        else:
            per_seed = [sum(run(s, **VARIANTS[name])) for s in range(args.seeds)]
            print(f"{name}: held-out right {sum(per_seed)}/{4 * args.seeds} ({sum(per_seed) / (4 * args.seeds):.0%}), "
                  f"per seed {per_seed} [{time.time() - t0:.0f} s]", flush=True)


if __name__ == "__main__":
    main()
