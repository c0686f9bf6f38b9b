"""Back-propagation in a layered net of logistic units, as Rumelhart, Hinton & Williams (1986) ran it.

    D. E. Rumelhart, G. E. Hinton & R. J. Williams, "Learning representations by
    back-propagating errors", Nature 323, 533-536 (1986). https://doi.org/10.1038/323533a0
    Longer version: "Learning internal representations by error propagation", in Parallel
    Distributed Processing, Vol. 1, ch. 8, 318-362 (MIT Press, 1986), "PDP" below.

The procedure, in the paper's equations:

    x_j = sum_i y_i w_ji  (+ bias, a weight from a unit that is always on)       (1)
    y_j = 1 / (1 + exp(-x_j))                                                    (2)
    E   = 1/2 sum_c sum_j (y_jc - d_jc)^2                                        (3)
    dE/dw by the backward pass, accumulated over all cases                     (4)-(7)
    dw(t) = -eps dE/dw(t) + alpha dw(t-1),  t counts sweeps through all cases    (9)

and, for the family trees (Fig. 4 caption), "weight-decay by decrementing every weight by 0.2%
after each weight change", and an error that "was considered to be zero if output units that
should be on had activities above 0.8 and output units that should be off had activities below
0.2" (``tolerance=0.2``). The defaults are the symmetry net of Fig. 1: 6-2-1, eps = 0.1,
alpha = 0.9, initial weights uniform in [-0.3, 0.3]. ``input_groups`` gives the family-tree net
of Fig. 3 (each input group totally connected to its own group of units in the second layer)
and ``skip`` the one-hidden-unit XOR net of PDP Fig. 2 (inputs also wired to the output).

Deviations from the paper:

- dE/dw comes from autograd, not from hand-written eqs. (4)-(7); it is the same derivative.
- Under DDP each rank holds a share of the cases and DDP averages gradients over ranks, so each
  rank back-propagates ``world_size * E_rank``: the averaged gradient is then exactly the
  paper's sum over all cases, and the update is the same as on one process.
- Under ``bf16-mixed`` the forward pass runs in bfloat16 (weights, E and the update in
  float32); the paper used full precision. Learning curves then differ slightly.
- A case counts as correct when every output unit is on the right side of 0.5 (within 0.5 of
  its target); for the family trees that is "the output units for the correct people above
  0.5 and all others below 0.5". ``sweeps_to_solve`` is the number of weight changes made
  before the first sweep in which every training case is correct (the paper gives sweep counts
  without stating its stopping rule).
- Family trees: the Fig. 4 caption's eps after sweep 20 reads 0.01 (one transcription gives
  0.001) and the paper gives no initial weight range for that net. With eps 0.01 and the
  symmetry net's U[-0.3, 0.3] every seed we ran stays on the plateau where all outputs are low;
  ``configs/backprop1986/family_trees.yaml`` therefore uses eps 0.1 and U[-1, 1], and keeps the
  rest of the caption (warm-up, momentum, 0.2% decay, 0.2/0.8 tolerance, 1500 sweeps).
- The module runs single-threaded while a Trainer holds it (restored at teardown): with a few
  hundred weights, intra-op threads only add latency.
"""

from __future__ import annotations

from typing import Any, Iterable

import lightning.pytorch as L
import torch
from torch import Tensor, nn

__all__ = ["LayeredNet", "PaperMomentum", "GroupedLinear"]


class PaperMomentum(torch.optim.Optimizer):
    """Eq. (9), then the Fig. 4 weight decay, once per sweep:

        dw(t) = -lr * dE/dw(t) + momentum * dw(t-1);   w <- w + dw(t);   w <- w - weight_decay * w

    Unlike ``torch.optim.SGD`` the step size multiplies the gradient before it enters the
    velocity, so changing ``lr`` mid-run (the family-tree schedule) rescales new gradients only,
    and the decay is a fraction of the weight taken after the change, outside the velocity.
    """

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float, weight_decay: float = 0.0) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure: Any = None) -> Any:
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            weights = [w for w in group["params"] if w.grad is not None]
            if not weights:
                continue
            deltas = []
            for w in weights:
                if "delta" not in self.state[w]:
                    self.state[w]["delta"] = torch.zeros_like(w)  # dw(0) = 0
                deltas.append(self.state[w]["delta"])
            grads = [w.grad for w in weights]
            torch._foreach_mul_(deltas, group["momentum"])  # alpha dw(t-1)
            torch._foreach_add_(deltas, grads, alpha=-group["lr"])  # - eps dE/dw(t)
            torch._foreach_add_(weights, deltas)
            if group["weight_decay"]:
                torch._foreach_mul_(weights, 1.0 - group["weight_decay"])
        return loss


class GroupedLinear(nn.Module):
    """Input groups, each totally connected to its own group of units in the next layer (Fig. 3)."""

    def __init__(self, groups: list[int], units_per_group: int) -> None:
        super().__init__()
        self.groups = groups
        self.parts = nn.ModuleList(nn.Linear(g, units_per_group) for g in groups)

    def forward(self, y: Tensor) -> Tensor:  # (B, sum(groups)) -> (B, len(groups) * units_per_group)
        return torch.cat([part(y_g) for part, y_g in zip(self.parts, y.split(self.groups, dim=1))], dim=1)


def _units(spec: str, what: str) -> list[int]:
    try:
        units = [int(s) for s in spec.replace("+", "-").split("-")] if spec else []
    except ValueError:
        units = [0]
    if any(u < 1 for u in units):
        raise ValueError(f"{what}={spec!r}: expected positive unit counts joined by '-', e.g. '6-2-1'")
    return units


class LayeredNet(L.LightningModule):
    """A layered net of logistic units trained by back-propagation (Nature 1986, eqs. 1-9).

    Args:
        layers: units per layer, input to output, in the paper's notation: ``"6-2-1"`` (symmetry,
            Fig. 1), ``"8-3-8"`` (encoder), ``"2-1-1"`` (XOR), ``"36-12-12-6-24"`` (family trees).
        input_groups: split the input layer into groups, e.g. ``"24+12"`` (people, relationships),
            each totally connected to its own equal share of the second layer (Fig. 3). Empty:
            the layers are totally connected.
        skip: also connect the input units directly to the output units (PDP Fig. 2, XOR with
            one hidden unit).
        lr: eps in eq. (9), the step size on the gradient summed over all cases.
        momentum: alpha in eq. (9).
        weight_decay: fraction of every weight removed after each weight change (family trees:
            0.002, "decrementing every weight by 0.2%").
        init_range: initial weights and biases are uniform in [-init_range, init_range].
        tolerance: an output unit's error counts as zero once it is within ``tolerance`` of its
            target (family trees: 0.2, i.e. on-units above 0.8, off-units below 0.2).
        warmup_sweeps: for this many first sweeps use ``warmup_lr`` and ``warmup_momentum``
            (family trees: 20 sweeps at eps = 0.005, alpha = 0.5).
        warmup_lr: eps during the warm-up sweeps.
        warmup_momentum: alpha during the warm-up sweeps.
    """

    def __init__(
        self,
        layers: str = "6-2-1",
        input_groups: str = "",
        skip: bool = False,
        lr: float = 0.1,
        momentum: float = 0.9,
        weight_decay: float = 0.0,
        init_range: float = 0.3,
        tolerance: float = 0.0,
        warmup_sweeps: int = 0,
        warmup_lr: float = 0.005,
        warmup_momentum: float = 0.5,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        sizes, groups = _units(layers, "layers"), _units(input_groups, "input_groups")
        if len(sizes) < 2:
            raise ValueError(f"layers={layers!r}: need at least an input and an output layer")
        if groups and (sum(groups) != sizes[0] or len(sizes) < 3 or sizes[1] % len(groups)):
            raise ValueError(
                f"input_groups={input_groups!r} must add up to the {sizes[0]} input units of layers={layers!r}, "
                f"and the second layer's {sizes[1]} units must split evenly among the {len(groups)} groups"
            )
        self.sizes = sizes
        # connections[l] carries layer l to layer l + 1; each output is a total input x_j, eq. (1).
        first = GroupedLinear(groups, sizes[1] // len(groups)) if groups else nn.Linear(sizes[0], sizes[1])
        self.connections = nn.ModuleList([first] + [nn.Linear(a, b) for a, b in zip(sizes[1:-1], sizes[2:])])
        self.skip = nn.Linear(sizes[0], sizes[-1], bias=False) if skip else None
        for w in self.parameters():  # "small random weights" break symmetry (p. 535)
            nn.init.uniform_(w, -init_range, init_range)
        # The number of sweeps before the first one with every training case correct; -1: not yet.
        self.register_buffer("solved_at", torch.tensor(-1))

    # ----- the network: eqs. (1) and (2), layer by layer from the bottom up
    def forward(self, x: Tensor) -> Tensor:  # (B, sizes[0]) -> (B, sizes[-1]), activities in (0, 1)
        y = x
        for l, connection in enumerate(self.connections):
            total = connection(y)  # (B, sizes[l + 1])
            if self.skip is not None and l == len(self.connections) - 1:
                total = total + self.skip(x)  # connections may skip intermediate layers
            y = torch.sigmoid(total)
        return y

    # ----- the error, eq. (3), and the paper's measure of success
    def error(self, y: Tensor, d: Tensor) -> Tensor:
        """E = 1/2 sum over cases and output units of (y - d)^2, zero inside the tolerance band."""
        diff = y.float() - d
        if self.hparams.tolerance:
            tol = self.hparams.tolerance
            diff = torch.where(d > 0.5, (diff + tol).clamp(max=0.0), (diff - tol).clamp(min=0.0))
        return 0.5 * diff.pow(2).sum()

    @staticmethod
    def wrong(y: Tensor, d: Tensor) -> Tensor:
        """How many cases have some output unit on the wrong side of 0.5."""
        return ((y > 0.5) != (d > 0.5)).any(dim=1).sum()

    def _sweep(self, y: Tensor, d: Tensor) -> tuple[Tensor, Tensor]:
        """(E, fraction of cases wrong) over the whole sweep, summed over DDP ranks."""
        stats = torch.stack([self.error(y, d), self.wrong(y, d).float(), torch.tensor(float(len(d)), device=d.device)])
        if self._trainer is not None:
            stats = self.trainer.strategy.reduce(stats.detach(), reduce_op="sum")
        return stats[0], stats[1] / stats[2]

    # ----- learning: one step is one sweep through all the training cases
    def on_train_epoch_start(self) -> None:
        warm = self.current_epoch < self.hparams.warmup_sweeps
        for group in self.optimizers().param_groups:
            group["lr"] = self.hparams.warmup_lr if warm else self.hparams.lr
            group["momentum"] = self.hparams.warmup_momentum if warm else self.hparams.momentum

    def training_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> Tensor:
        x, d = batch
        y = self(x)
        E_rank = self.error(y, d)
        E, error_rate = self._sweep(y.detach(), d)
        if error_rate == 0 and self.solved_at < 0:
            self.solved_at.fill_(self.current_epoch)  # weight changes made so far
        self.log("train_loss", E, on_step=False, on_epoch=True, sync_dist=True)
        self.log("train_error", error_rate, on_step=False, on_epoch=True, sync_dist=True)
        if self.solved_at >= 0:
            self.log("sweeps_to_solve", self.solved_at.float(), on_step=False, on_epoch=True, sync_dist=True)
        # DDP averages gradients over ranks; the paper's dE/dw is a sum over all cases.
        return E_rank * self.trainer.world_size

    def configure_optimizers(self) -> PaperMomentum:
        return PaperMomentum(self.parameters(), self.hparams.lr, self.hparams.momentum, self.hparams.weight_decay)

    # ----- evaluation: the training set itself (the paper's measure), or held-out cases
    def _evaluate(self, batch: tuple[Tensor, Tensor], stage: str) -> None:
        x, d = batch
        E, error_rate = self._sweep(self(x), d)
        self.log(f"{stage}_loss", E, sync_dist=True)
        self.log(f"{stage}_error", error_rate, sync_dist=True)

    def validation_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        self._evaluate(batch, "val")

    def test_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        self._evaluate(batch, "test")

    def predict_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> Tensor:
        return self(batch[0])
