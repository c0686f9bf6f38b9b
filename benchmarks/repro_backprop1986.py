"""Reproduce the numbers of Rumelhart, Hinton & Williams (1986) over several seeds, and print the table.

Every run goes through the plugin's own LightningModule and datamodule and a Lightning Trainer on
CPU, with the settings of ``configs/backprop1986/<task>.yaml``; only the seed changes (and, for
the family trees, the held-out split, which ``data.seed`` draws).

    python benchmarks/repro_backprop1986.py                  # all tasks, 10 seeds each
    python benchmarks/repro_backprop1986.py --tasks symmetry --seeds 20

Symmetry, XOR and encoder runs stop at the first sweep with every pattern right (or at
``--max-sweeps``); family-tree runs train the configured 1500 sweeps and are then scored on the
4 held-out triples.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
import warnings
from pathlib import Path

import lightning.pytorch as L
import torch
import yaml

from landmark.datamodules.backprop_tasks import BackpropTasks
from landmark.plugins.backprop1986.model import LayeredNet

CONFIGS = Path(__file__).resolve().parents[1] / "configs" / "backprop1986"


class StopWhenSolved(L.Callback):
    """Stop ``extra`` sweeps after the first sweep with every training case right."""

    def __init__(self, extra: int = 0) -> None:
        self.extra = extra

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: LayeredNet) -> None:
        if pl_module.solved_at >= 0 and trainer.current_epoch >= pl_module.solved_at + self.extra:
            trainer.should_stop = True


def run(task: str, seed: int, max_sweeps: int | None = None, stop: bool = True, extra: int = 0, **model_overrides):
    cfg = yaml.safe_load((CONFIGS / f"{task}.yaml").read_text())
    sweeps = max_sweeps or cfg["trainer"]["max_epochs"]
    L.seed_everything(seed, verbose=False)
    model = LayeredNet(**{**cfg["model"]["init_args"], **model_overrides})
    data_args = {**cfg["data"]["init_args"], **({"seed": seed} if task == "family_trees" else {})}
    dm = BackpropTasks(**data_args)
    trainer = L.Trainer(
        accelerator="cpu", max_epochs=sweeps, check_val_every_n_epoch=sweeps, num_sanity_val_steps=0,
        callbacks=[StopWhenSolved(extra)] if stop else [], enable_progress_bar=False, logger=False,
        enable_checkpointing=False, enable_model_summary=False, log_every_n_steps=1,
    )
    trainer.fit(model, datamodule=dm)
    solved = int(model.solved_at)
    return model, dm, trainer, (solved if solved >= 0 else None)


def symmetry_structure(model: LayeredNet) -> tuple[float, tuple[float, float, float]]:
    """Largest |w_i + w_(7-i)| / max|w| over both hidden units, and unit 1's magnitudes / smallest."""
    W = model.connections[0].weight.detach()
    mirror = max(float((w + w.flip(0)).abs().max() / w.abs().max()) for w in W)
    mags = W[0, :3].abs().sort().values
    return mirror, tuple(round(float(v), 2) for v in mags / mags[0])


def summarize(counts: list[int | None], budget: int) -> str:
    ok = sorted(c for c in counts if c is not None)
    if not ok:
        return f"0/{len(counts)} solved within {budget}"
    return (f"{len(ok)}/{len(counts)} solved within {budget}; median {statistics.median(ok):.0f}, "
            f"range {ok[0]}-{ok[-1]}; runs: {', '.join(str(c) if c is not None else '-' for c in counts)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", nargs="+", default=["symmetry", "xor", "encoder", "family_trees"])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--max-sweeps", type=int, default=20000, help="budget for the stop-when-solved tasks")
    ap.add_argument("--family-seeds", type=int, default=None, help="seeds for the family trees (default: --seeds)")
    args = ap.parse_args()
    torch.set_num_threads(1)  # as the configs ask (threads: 1): a few hundred weights
    warnings.filterwarnings("ignore")
    logging.getLogger("lightning.pytorch").setLevel(logging.WARNING)
    seeds = range(args.seeds)
    rows = []
    t0 = time.time()

    if "symmetry" in args.tasks:
        counts, within = [], 0
        structure = []
        for s in seeds:
            # the weights are read 1000 sweeps after the solution, once they have settled
            model, _, _, n = run("symmetry", s, args.max_sweeps + 1000, extra=1000)
            counts.append(n)
            within += n is not None and n <= 1425
            if n is not None:
                structure.append(symmetry_structure(model))
        print(f"symmetry: {summarize(counts, args.max_sweeps)}", flush=True)
        for (mirror, ratio), s in zip(structure, [s for s, c in zip(seeds, counts) if c is not None]):
            print(f"  seed {s}: mirror error {mirror:.3f}, magnitudes 1 : {ratio[1]} : {ratio[2]}", flush=True)
        ok = [c for c in counts if c is not None]
        rows.append(("symmetry 6-2-1 (Nature Fig. 1)", "sweeps_to_solve", "1425 (one run)",
                     f"median {statistics.median(ok):.0f}, range {min(ok)}-{max(ok)}; {within}/{len(counts)} "
                     f"seeds within 1425; seed 0: {counts[0]}" if ok else "not solved"))
        mirrored = sum(m < 0.05 for m, _ in structure)
        good = sum(m < 0.05 and abs(r[1] - 2) < 0.3 and abs(r[2] - 4) < 0.6 for m, r in structure)
        rows.append(("symmetry: weights mirror-antisymmetric, 1:2:4", "(weights)", "yes (Fig. 1)",
                     f"1000 sweeps after solving: mirror-antisymmetric (error < 5%) {mirrored}/{len(structure)}, "
                     f"of which 1:2:4 (within 15%) {good}; the others' ratios are printed above"))

    for task, label, paper in (("xor", "XOR 2-1-1 + direct connections (PDP p. 331)", "558"),
                               ("encoder", "8-3-8 encoder (PDP pp. 335-337)", "learned (no count)")):
        if task in args.tasks:
            counts = [run(task, s, args.max_sweeps)[3] for s in seeds]
            print(f"{task}: {summarize(counts, args.max_sweeps)}", flush=True)
            ok = [c for c in counts if c is not None]
            measured = f"{len(ok)}/{len(counts)} solved; median {statistics.median(ok):.0f}, " \
                       f"range {min(ok)}-{max(ok)}" if ok else "not solved"
            rows.append((label, "sweeps_to_solve", paper, measured))

    if "family_trees" in args.tasks:
        for label, overrides in (("config (eps 0.1, U[-1, 1])", {}),
                                 ("caption's eps 0.01, U[-0.3, 0.3]", {"lr": 0.01, "init_range": 0.3})):
            held, trained, per_seed = 0, 0, []
            for s in range(args.family_seeds or args.seeds):
                model, dm, trainer, _ = run("family_trees", s, stop=False, **overrides)
                with torch.no_grad():
                    right_train = int(((model(dm.train_set[0]) > 0.5) == (dm.train_set[1] > 0.5)).all(1).sum())
                    right_held = int(((model(dm.val_set[0]) > 0.5) == (dm.val_set[1] > 0.5)).all(1).sum())
                held += right_held
                trained += right_train == 100
                per_seed.append(right_held)
            print(f"family trees, {label}: held-out {held}/{4 * len(per_seed)} right, per seed {per_seed}; "
                  f"{trained}/{len(per_seed)} seeds learn all 100 training triples", flush=True)
            dist = {k: per_seed.count(k) for k in range(4, -1, -1) if per_seed.count(k)}
            rows.append((f"family trees, {label}", "val_error", "0 (4/4 held-out right, one run)",
                         f"{held}/{4 * len(per_seed)} held-out right ({held / (4 * len(per_seed)):.0%}); seeds with "
                         + ", ".join(f"{k}/4: {v}" for k, v in dist.items())
                         + f"; all 100 trained: {trained}/{len(per_seed)}"))

    print(f"\n{len(seeds)} seeds (0-{len(seeds) - 1}), {time.time() - t0:.0f} s\n")
    print("| experiment | metric | paper | landmark (measured) |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
