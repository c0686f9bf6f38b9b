"""Platform overhead for lenet1989: Lightning run vs a hand-written PyTorch loop, one epoch of USPS.

(a) a hand-written loop in the style of karpathy/lecun1989-repro's repro.py: plain nn.Module,
    ``torch.optim.SGD`` with PyTorch defaults, one ``zero_grad/backward/step`` per sample in
    file order, then the train and test error evaluated after the pass (no logging, no
    checkpoint: the strictest baseline). ``--hand-update grad`` makes the same update the way
    the platform's model does it (``autograd.grad`` + ``_foreach_add_``, ~10% less Python per
    sample), which isolates what Lightning, logging and checkpoints cost;
(b) the platform, one of
    ``--via cli`` (default): ``landmark fit --config configs/lenet1989/usps.yaml`` run in this
        process (``landmark.cli.run``) with its defaults: TensorBoard logs, last and best
        checkpoints, throughput, the run record, the progress bar, the sanity check;
    ``--via trainer``: ``LeNet1989`` + ``USPS`` under a plain ``lightning.pytorch.Trainer`` with a
        ``TensorBoardLogger``, ``ModelCheckpoint(monitor=val_error, save_last=True)``, the
        progress bar and the sanity check;
    timed from parsing the command (or building the Trainer) to the end of ``fit``.

Both start from the same seed; the script checks that they end with bit-identical weights
(eager mode), runs the two sides interleaved ``--repeats`` times (the machine is noisy) and
compares medians. The data files are parsed once before timing (the USPS loader keeps the
parse per process), so neither side pays for it. The last line is
``overhead ratio platform/hand-written: X.XXx``.

    .venv/bin/python benchmarks/overhead.py --data-dir ../shared/data/usps --repeats 5
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

import lightning.pytorch as L
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.loggers import TensorBoardLogger

from landmark.cli import run as landmark
from landmark.datamodules.usps import USPS
from landmark.plugins.lenet1989.model import CONNECTIONS, LeNet1989


class HandNet(nn.Module):
    """The 1989 network written out by hand, as repro.py does (dense masked H2, same init order)."""

    def __init__(self) -> None:
        super().__init__()
        winit = lambda fan_in, *shape: (torch.rand(*shape) - 0.5) * 2 * 2.4 / fan_in**0.5  # noqa: E731
        self.H1w = nn.Parameter(winit(5 * 5 * 1, 12, 1, 5, 5))
        self.H1b = nn.Parameter(torch.zeros(12, 8, 8))
        h2 = winit(5 * 5 * 8, 12, 8, 5, 5)
        w, mask = torch.zeros(12, 12, 5, 5), torch.zeros(12, 12, 1, 1)
        for o, ins in enumerate(CONNECTIONS):
            w[o, list(ins)], mask[o, list(ins)] = h2[o], 1.0
        self.H2w = nn.Parameter(w)
        self.register_buffer("H2mask", mask)
        self.H2b = nn.Parameter(torch.zeros(12, 4, 4))
        self.H3w = nn.Parameter(winit(4 * 4 * 12, 4 * 4 * 12, 30))
        self.H3b = nn.Parameter(torch.zeros(30))
        self.outw = nn.Parameter(winit(30, 30, 10))
        self.outb = nn.Parameter(-torch.ones(10))

    def forward(self, x):
        x = F.pad(x, (2, 2, 2, 2), "constant", -1.0)
        x = torch.tanh(F.conv2d(x, self.H1w, stride=2) + self.H1b)
        x = F.pad(x, (2, 2, 2, 2), "constant", -1.0)
        x = torch.tanh(F.conv2d(x, self.H2w * self.H2mask, stride=2) + self.H2b)
        x = torch.tanh(x.flatten(start_dim=1) @ self.H3w + self.H3b)
        return torch.tanh(x @ self.outw + self.outb)


Result = tuple[tuple[float, float], list[torch.Tensor], str]  # (wall s, cpu s), final weights, summary


def hand_written(data, epochs: int, seed: int, lr: float, update: str = "sgd") -> Result:
    (Xtr, ltr), (Xte, lte) = data
    Ytr = torch.full((len(ltr), 10), -1.0).scatter_(1, ltr[:, None], 1.0)
    t0, c0 = time.perf_counter(), time.process_time()
    torch.manual_seed(seed)
    model = HandNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    params = list(model.parameters())
    for _ in range(epochs):
        model.train()
        for i in range(Xtr.size(0)):
            x, y = Xtr[i : i + 1], Ytr[i : i + 1]
            loss = F.mse_loss(model(x), y)
            if update == "sgd":  # repro.py, PyTorch defaults
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
            else:  # the same update without torch.optim's per-call Python, as the platform does it
                grads = torch.autograd.grad(loss, params)
                with torch.no_grad():
                    torch._foreach_add_(params, grads, alpha=-lr)
        model.eval()
        with torch.no_grad():
            errs = [(model(X).argmax(1) != lab).float().mean().item() * 100 for X, lab in ((Xtr, ltr), (Xte, lte))]
    elapsed = (time.perf_counter() - t0, time.process_time() - c0)
    return elapsed, [p.detach().clone() for p in model.parameters()], f"train {errs[0]:.2f}% test {errs[1]:.2f}%"


CONFIG = Path(__file__).resolve().parents[1] / "configs" / "lenet1989" / "usps.yaml"


def platform_cli(args) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        t0, c0 = time.perf_counter(), time.process_time()
        cli = landmark(
            [
                "fit", "--config", str(CONFIG),
                "--seed_everything", str(args.seed),
                "--threads", str(args.threads),
                "--trainer.max_epochs", str(args.epochs),
                "--trainer.default_root_dir", tmp,
                "--trainer.enable_progress_bar", str(not args.no_progress_bar).lower(),
                "--model.lr", str(args.lr),
                "--model.compile", str(args.compile).lower(),
                "--data.batch_size", str(args.batch_size),
                *(["--data.data_dir", args.data_dir] if args.data_dir else []),
            ]
        )  # fmt: skip
        elapsed = (time.perf_counter() - t0, time.process_time() - c0)
    trainer, model = cli.trainer, cli.model
    m = trainer.callback_metrics
    return elapsed, [p.detach().clone() for p in model.parameters()], (
        f"train {float(m['train_error']):.2f}% test {float(m['val_error']):.2f}% global_step {trainer.global_step}"
    )


def platform_trainer(dm: USPS, epochs: int, seed: int, lr: float, compile: bool, progress_bar: bool) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        t0, c0 = time.perf_counter(), time.process_time()
        L.seed_everything(seed, verbose=False)
        model = LeNet1989(lr=lr, compile=compile)
        trainer = L.Trainer(
            max_epochs=epochs,
            accelerator="cpu",
            devices=1,
            logger=TensorBoardLogger(tmp, name="lenet1989"),
            callbacks=[ModelCheckpoint(dirpath=f"{tmp}/ckpt", monitor="val_error", save_last=True)],
            enable_progress_bar=progress_bar,
            log_every_n_steps=1,
        )
        trainer.fit(model, dm)
        elapsed = (time.perf_counter() - t0, time.process_time() - c0)
    m = trainer.callback_metrics
    return elapsed, [p.detach().clone() for p in model.parameters()], (
        f"train {float(m['train_error']):.2f}% test {float(m['val_error']):.2f}% global_step {trainer.global_step}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default=None, help="folder with zip.train.gz/zip.test.gz (else the cache)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--lr", type=float, default=0.03)
    ap.add_argument("--batch-size", type=int, default=256, help="samples per Lightning step")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads, both sides (1 beats 2 here)")
    ap.add_argument("--compile", action="store_true", help="platform side torch.compiles its per-sample step")
    ap.add_argument("--no-progress-bar", action="store_true")
    ap.add_argument(
        "--hand-update",
        choices=("sgd", "grad"),
        default="sgd",
        help="hand-written update: torch.optim.SGD zero_grad/backward/step (repro.py), or autograd.grad + "
        "_foreach_add_ (what the platform does; isolates the framework's own overhead)",
    )
    ap.add_argument("--stat", choices=("median", "min"), default="median", help="statistic over the repeats")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall", help="clock of the last line's ratio")
    ap.add_argument("--via", choices=("cli", "trainer"), default="cli", help="the landmark command, or a bare Trainer")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore")  # Lightning's tips and deprecation notes, every run
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)

    dm = USPS(args.data_dir, batch_size=args.batch_size)
    dm.setup("fit")  # parse once; the Trainer's own setup() call then finds it done
    data = (dm.train_set, dm.test_set)

    times: dict[str, list[tuple[float, float]]] = {"hand-written": [], "platform": []}
    for r in range(args.repeats):
        th, wh, sh = hand_written(data, args.epochs, args.seed, args.lr, args.hand_update)
        if args.via == "cli":
            tp, wp, sp = platform_cli(args)
        else:
            tp, wp, sp = platform_trainer(dm, args.epochs, args.seed, args.lr, args.compile, not args.no_progress_bar)
        times["hand-written"].append(th)
        times["platform"].append(tp)
        same = all(torch.equal(a, b) for a, b in zip(wh, wp))
        diff = max((a - b).abs().max().item() for a, b in zip(wh, wp))
        print(
            f"repeat {r}: hand-written {th[0]:.3f}s wall {th[1]:.3f}s cpu ({sh}) | platform {tp[0]:.3f}s wall "
            f"{tp[1]:.3f}s cpu ({sp}) | weights bit-identical: {same} (max |diff| {diff:.2e})",
            flush=True,
        )
        if not same and not args.compile:
            raise SystemExit("eager runs must end with bit-identical weights")
    stat = {"median": statistics.median, "min": min}[args.stat]
    n = len(data[0][0]) * args.epochs
    print(
        f"via {args.via}, hand-written update {args.hand_update}, threads {args.threads}, "
        f"batch_size {args.batch_size}, compile {args.compile}, epochs {args.epochs}"
    )
    summary = {}
    for side, runs in times.items():
        wall, cpu = [t[0] for t in runs], [t[1] for t in runs]
        summary[side] = {"wall": stat(wall), "cpu": stat(cpu)}
        print(
            f"{side:12s} wall median {statistics.median(wall):.3f}s min {min(wall):.3f}s | "
            f"cpu median {statistics.median(cpu):.3f}s min {min(cpu):.3f}s "
            f"({stat(wall) / n * 1e6:.1f} us/sample wall, {args.stat}) | wall runs {[round(t, 3) for t in wall]}"
        )
    other = "cpu" if args.clock == "wall" else "wall"
    print(f"ratio by {other} time ({args.stat}): {summary['platform'][other] / summary['hand-written'][other]:.3f}x")
    ratio = summary["platform"][args.clock] / summary["hand-written"][args.clock]
    print(f"overhead ratio platform/hand-written: {ratio:.2f}x")


if __name__ == "__main__":
    main()
