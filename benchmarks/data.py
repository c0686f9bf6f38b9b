"""How long the image DataModules keep training waiting for the next batch, on CPU.

Issue 3 asks that in-memory datasets be batched by indexing, with no per-sample Python in the
hot loop, so that on CPU the wait for the next batch is under 5% of training time. This script
measures it through the real platform: each run is ``landmark fit`` in this process
(``landmark.cli.run``), one epoch cut to ``--batches`` steps (or ``--max-seconds``), with
logs, checkpoints, validation, the sanity check and the progress bar off, so that what is
timed is training and data.

Runs:

- every ``configs/*/*.yaml`` whose DataModule serves images (``IMAGE_DATAMODULES``): the
  paper configs of the image plugins, as shipped. A CIFAR-10 config whose files are not on the
  machine runs on the stand-in below (marked ``*``);
- a small standard conv net (``SmallConvNet``, below) on the image DataModules that augment
  or normalise each batch: CIFAR-10 with crop and flip, on files this script writes to a
  temporary folder in CIFAR's own batch format (50,000 + 10,000 images of random pixels: the
  timing does not depend on them; ``verify: false``), MNIST from ``--data-root``, and
  Fashion-MNIST where the platform finds it (Debian's ``dataset-fashion-mnist`` package here).

What a Lightning callback (``BatchWait``) measures:

- ``total``: the epoch's wall time (``on_train_epoch_start`` to ``on_train_epoch_end``), plus
  the first batch, which Lightning fetches before the epoch starts;
- ``waiting``: the gaps between ``on_train_batch_end`` of one step and ``on_train_batch_start``
  of the next, plus the loader's time outside those gaps (the first batch). A gap is the loader
  producing a batch plus Lightning's own bookkeeping (progress, logging, the move to the device);
- ``loader``: the time inside the loader iterator's ``__next__`` (the DataModule's
  ``train_dataloader()`` is wrapped by a timer); ``lightning``: the gaps less the loader's time
  in them.

``share = waiting / total`` is the figure issue 3 bounds (it counts Lightning's bookkeeping
against the data: the stricter reading); ``loader %`` is the data's part alone. Torch runs on
one thread unless the config sets ``threads``. The last lines give the worst shares.

    .venv/bin/python benchmarks/data.py                  # 2-3 minutes on 2 CPU cores
    .venv/bin/python benchmarks/data.py --only lenet --batches 30
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import pickle
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
import yaml
from torch import nn

import lightning.pytorch as L
from lightning.pytorch.callbacks import Callback

from landmark.data import DataNotFound

ROOT = Path(__file__).resolve().parents[1]

# The DataModules of landmark.datamodules that serve images (class names, as a config may give
# the short name or the full class path).
IMAGE_DATAMODULES = {"USPS", "MNIST16", "MNIST", "FashionMNIST", "CIFAR10", "ImageFolder", "Omniglot", "VOC"}

THRESHOLD = 5.0  # percent, issue 3


# --- the measure --------------------------------------------------------------------------------


class TimedBatches:
    """A training loader whose iterator's ``__next__`` is timed; everything else is the loader's
    own (length, and the state Lightning saves), so the run is unchanged."""

    def __init__(self, inner, clock: "BatchWait") -> None:
        self.inner, self.clock = inner, clock

    def __len__(self) -> int:
        return len(self.inner)

    def __iter__(self):
        it = None
        while True:
            t0 = time.perf_counter()
            try:
                if it is None:  # iter() counts too: it may start workers or draw the epoch's order
                    it = iter(self.inner)
                batch = next(it)
            except StopIteration:
                self.clock.loader_time(time.perf_counter() - t0)
                return
            self.clock.loader_time(time.perf_counter() - t0)
            yield batch

    def state_dict(self) -> dict:
        return self.inner.state_dict()

    def load_state_dict(self, state: dict) -> None:
        self.inner.load_state_dict(state)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


class BatchWait(Callback):
    """Times the training epoch, the gaps between steps, and the loader's ``__next__``."""

    def __init__(self) -> None:
        self.steps = 0
        self.epoch_s = 0.0  # on_train_epoch_start to on_train_epoch_end
        self.gaps_s = 0.0  # on_train_batch_end of a step to on_train_batch_start of the next
        self.loader_s = 0.0  # all __next__ time
        self.loader_in_gaps_s = 0.0  # __next__ time inside those gaps
        self.early_loader_s = 0.0  # __next__ time before the epoch started (the first batch)
        self._where = "before"  # before the epoch, "start" of it, in a "step", in a "gap"
        self._gap_loader = 0.0

    def setup(self, trainer: L.Trainer, pl_module: L.LightningModule, stage: str) -> None:
        dm = trainer.datamodule
        make = dm.train_dataloader
        dm.train_dataloader = lambda: TimedBatches(make(), self)

    def loader_time(self, seconds: float) -> None:
        self.loader_s += seconds
        if self._where == "before":
            self.early_loader_s += seconds
        elif self._where == "gap":
            self._gap_loader += seconds

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        self._where = "start"
        self._epoch_start = time.perf_counter()

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        if self._where == "gap":
            self.gaps_s += time.perf_counter() - self._mark
            self.loader_in_gaps_s += self._gap_loader
        self._where = "step"

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        self.steps += 1
        self._where, self._gap_loader = "gap", 0.0
        self._mark = time.perf_counter()

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        self.epoch_s += time.perf_counter() - self._epoch_start
        self._where = "after"

    def row(self) -> dict[str, float]:
        # The stretch from the epoch's start to its first step also runs the model's own
        # on_train_epoch_start (LeNet-5 estimates its Hessian there): only the loader's time
        # in it counts as waiting, as does the first batch, fetched before the epoch started.
        total = self.epoch_s + self.early_loader_s
        waiting = self.gaps_s + (self.loader_s - self.loader_in_gaps_s)
        return {
            "steps": self.steps,
            "total": total,
            "waiting": waiting,
            "loader": self.loader_s,
            "lightning": self.gaps_s - self.loader_in_gaps_s,
            "share": 100 * waiting / total if total else float("nan"),
            "loader_share": 100 * self.loader_s / total if total else float("nan"),
        }


# --- a small standard conv net for the DataModules no plugin uses yet ---------------------------


class SmallConvNet(L.LightningModule):
    """Two 3x3 conv blocks (conv, ReLU, 2x2 max-pool) and two linear layers, cross-entropy,
    SGD with momentum: the usual small CNN of the MNIST/CIFAR tutorials.

    Args:
        in_channels: image channels (1 for MNIST, 3 for CIFAR-10).
        image_size: side of the square input images.
        num_classes: classes to predict.
        width: channels of the first conv layer (the second has twice as many).
        lr: SGD learning rate.
    """

    def __init__(self, in_channels: int = 1, image_size: int = 28, num_classes: int = 10, width: int = 32, lr: float = 0.05) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.conv1 = nn.Conv2d(in_channels, width, 3, padding=1)
        self.conv2 = nn.Conv2d(width, 2 * width, 3, padding=1)
        side = image_size // 4
        self.fc1 = nn.Linear(2 * width * side * side, 128)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)  # (B, W, S/2, S/2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)  # (B, 2W, S/4, S/4)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", F.cross_entropy(self(x), y))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9)


def write_cifar(folder: Path, per_batch: int, seed: int = 0) -> None:
    """A CIFAR-10 in the official python format (pickled dicts with bytes keys), random pixels."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8)
        labels = rng.integers(0, 10, per_batch).tolist()
        with open(folder / name, "wb") as f:
            pickle.dump({b"batch_label": name.encode(), b"labels": labels, b"data": data, b"filenames": [b"x.png"] * per_batch}, f, protocol=2)
    names = [b"airplane", b"automobile", b"bird", b"cat", b"deer", b"dog", b"frog", b"horse", b"ship", b"truck"]
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({b"label_names": names, b"num_cases_per_batch": per_batch, b"num_vis": 3072}, f, protocol=2)


# --- the runs -----------------------------------------------------------------------------------


def image_configs(only: str | None) -> list[tuple[Path, str]]:
    """``configs/*/*.yaml`` whose ``data.class_path`` is an image DataModule, with its class name."""
    found = []
    for path in sorted((ROOT / "configs").glob("*/*.yaml")):
        if only and only not in str(path.relative_to(ROOT)):
            continue
        data = (yaml.safe_load(path.read_text()) or {}).get("data") or {}
        name = (data.get("class_path", "") if isinstance(data, dict) else str(data)).rsplit(".", 1)[-1]
        if name in IMAGE_DATAMODULES:
            found.append((path, name))
    return found


def standard_runs(cifar: Path, data_root: Path, batch_size: int) -> list[tuple[str, list[str]]]:
    """(name, the arguments after ``fit``) of ``SmallConvNet`` on each augmented image DataModule."""
    net = ["--model", f"{__name__}.SmallConvNet"]
    common = [f"--data.batch_size={batch_size}", "--data.val_size=1000"]
    return [
        (
            "SmallConvNet / CIFAR10, crop 4 + flip *",
            [*net, "--model.in_channels=3", "--model.image_size=32", "--data", "landmark.datamodules.cifar10.CIFAR10",
             f"--data.data_dir={cifar}", "--data.verify=false", "--data.crop_padding=4", "--data.hflip=true", *common],
        ),
        (
            "SmallConvNet / MNIST (--data-root)",
            [*net, "--data", "landmark.datamodules.mnist.MNIST", f"--data.data_dir={data_root / 'mnist'}", *common],
        ),
        (
            "SmallConvNet / FashionMNIST (Debian package)",
            [*net, "--data", "landmark.datamodules.mnist.FashionMNIST", *common],
        ),
    ]


def measure(fit_args: list[str], batches: int, max_seconds: int, run_dir: Path) -> dict[str, float]:
    """One ``landmark fit`` cut to ``batches`` steps (or ``max_seconds``); the ``BatchWait`` figures."""
    from landmark.cli import run

    torch.set_num_threads(1)  # a config's ``threads`` overrides this
    m, sec = divmod(max_seconds, 60)
    h, m = divmod(m, 60)
    args = [
        "fit",
        *fit_args,
        "--trainer.max_epochs=1",
        f"--trainer.limit_train_batches={batches}",
        f"--trainer.max_time=00:{h:02d}:{m:02d}:{sec:02d}",  # slow models stop early: fewer steps
        "--trainer.limit_val_batches=0",
        "--trainer.num_sanity_val_steps=0",
        "--trainer.logger=false",
        "--trainer.enable_checkpointing=false",
        "--trainer.enable_progress_bar=false",
        "--trainer.enable_model_summary=false",
        f"--trainer.default_root_dir={run_dir}",
        f"--trainer.callbacks+={__name__}.BatchWait",
    ]
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            cli = run(args)
    except BaseException:
        if not isinstance(sys.exc_info()[1], DataNotFound):
            sys.stderr.write(out.getvalue())
        raise
    (wait,) = [c for c in cli.trainer.callbacks if isinstance(c, BatchWait)]
    return wait.row()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batches", type=int, default=100, help="training steps per run at most (default 100)")
    p.add_argument("--max-seconds", type=int, default=6, help="stop a run's training after this long (default 6)")
    p.add_argument("--batch-size", type=int, default=128, help="batch size of the SmallConvNet runs (default 128)")
    p.add_argument("--data-root", type=Path, default=ROOT.parent / "shared" / "data",
                   help="folder of dataset folders (usps/, mnist/, ...), used as $LANDMARK_DATA_DIR when that is unset")
    p.add_argument("--only", default=None, help="run only the runs whose name contains this")
    p.add_argument("--no-standard", action="store_true", help="only the shipped configs, not the SmallConvNet runs")
    a = p.parse_args(argv)

    # Offline: the shipped configs leave data_dir unset, so the platform looks in the cache.
    os.environ.setdefault("LANDMARK_DATA_DIR", str(a.data_root))
    warnings.filterwarnings("ignore")
    for name in ("lightning", "lightning.pytorch", "lightning.fabric"):
        logging.getLogger(name).setLevel(logging.ERROR)
    os.chdir(ROOT)

    rows: list[tuple[str, dict[str, float]]] = []
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="landmark-bench-data-") as tmp:
        tmp = Path(tmp)
        cifar = tmp / "cifar10"
        write_cifar(cifar / "cifar-10-batches-py", per_batch=10000)  # CIFAR-10's own sizes: 50k + 10k
        # A CIFAR-10 config runs on those files when the real ones are not here (marked *).
        stand_in = {"CIFAR10": [f"--data.data_dir={cifar}", "--data.verify=false"]}
        runs = [(str(c.relative_to(ROOT)), ["--config", str(c)], stand_in.get(dm)) for c, dm in image_configs(None)]
        if not a.no_standard:
            runs += [(n, args, None) for n, args in standard_runs(cifar, a.data_root, a.batch_size)]
        runs = [r for r in runs if not a.only or a.only.lower() in r[0].lower()]
        width = max([len(n) + 2 for n, _, _ in runs] + [6])
        head = (f"{'run':<{width}}  {'steps':>5}  {'total s':>8}  {'waiting s':>9}  {'share %':>7}  "
                f"{'loader s':>8}  {'loader %':>8}  {'lightning s':>11}")
        print(f"torch {torch.__version__}, lightning {L.__version__}, {os.cpu_count()} CPUs; "
              f"each run: 1 epoch of at most {a.batches} steps or {a.max_seconds} s")
        print(head)
        print("-" * len(head))
        for name, fit_args, fallback in runs:
            t0 = time.perf_counter()
            try:
                try:
                    r = measure(fit_args, a.batches, a.max_seconds, tmp / "runs")
                except DataNotFound:
                    if fallback is None:
                        raise
                    name += " *"
                    r = measure(fit_args + fallback, a.batches, a.max_seconds, tmp / "runs")
            except Exception as e:  # data not on this machine, or a broken config: say so, go on
                failed.append(name)
                why = str(e).splitlines()[0] if str(e) else ""
                print(f"{name:<{width}}  not measured: {type(e).__name__}: {why}", flush=True)
                continue
            rows.append((name, r))
            print(
                f"{name:<{width}}  {r['steps']:>5}  {r['total']:>8.3f}  {r['waiting']:>9.4f}  {r['share']:>7.2f}  "
                f"{r['loader']:>8.4f}  {r['loader_share']:>8.2f}  {r['lightning']:>11.4f}"
                f"   ({time.perf_counter() - t0:.0f} s with setup)",
                flush=True,
            )
    print("* on CIFAR-10 files in CIFAR's batch format written by this script (random pixels, verify: false)")
    if not rows:
        print("nothing measured")
        return 1
    if failed:
        print(f"not measured: {', '.join(failed)}")
    verdict = lambda share: "under" if share < THRESHOLD else "NOT under"  # noqa: E731
    name, worst = max(rows, key=lambda nr: nr[1]["share"])
    lname, lworst = max(rows, key=lambda nr: nr[1]["loader_share"])
    print(f"worst loader share: {lworst['loader_share']:.2f}% ({lname}), {verdict(lworst['loader_share'])} {THRESHOLD:g}%")
    print(f"worst share: {worst['share']:.2f}% ({name}: loader {worst['loader_share']:.2f}%, the rest Lightning's "
          f"bookkeeping), {verdict(worst['share'])} {THRESHOLD:g}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
