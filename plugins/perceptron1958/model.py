"""The perceptron (Rosenblatt 1958): threshold units trained by the error-correction rule.

    F. Rosenblatt, "The perceptron: a probabilistic model for information storage and
    organization in the brain", Psychological Review 65(6):386-408, 1958.
    https://doi.org/10.1037/h0042519
    The rule as stated and proved later: F. Rosenblatt, "Principles of Neurodynamics"
    (Spartan, 1962), the "error-corrective reinforcement" perceptron; A. B. J. Novikoff, "On
    convergence proofs on perceptrons", Symposium on the Mathematical Theory of Automata 12,
    615-622, 1962.

The machine, reduced to what is learned::

    sensory points x (D,)  ->  response units r_k = 1 if w_k . x + b_k > 0 else 0    (K units)

Each response unit is a threshold unit; its threshold is the bias b_k, a weight from an input
that is always on. Learning is error correction, one pattern at a time, no gradient:

    w_k <- w_k + eta (t_k - r_k) x,      b_k <- b_k + eta (t_k - r_k)

so a unit changes only when it answered wrongly (t_k - r_k is -1, 0 or +1): the rule never
touches the weights on a pattern it already gets right. With the weights starting at zero and
the data separable by a margin gamma (some unit vector u in the (x, 1) space with
(2t - 1) u . (x, 1) >= gamma for every pattern) and all ||(x, 1)|| <= R, Novikoff's theorem
bounds the number of corrections by (R / gamma)^2, whatever the order and eta.

Classes (``num_classes``):

- 2: a single response unit, r = 1 meaning class 1 (the paper's binary response).
- K > 2: one response unit per class, each trained by the rule above on "this class or not"
  (one-vs-rest: t_k = 1 for the pattern's class, 0 for the others, each unit corrected on its
  own), and the class read out as the unit with the largest input w_k . x + b_k
  (winner-take-all, the 1958 paper's mutually inhibiting response units). This is what
  scikit-learn's ``Perceptron`` does, whose 0.939 training accuracy on the 8x8 digits the
  issue quotes; we chose it over the multi-class (Kesler) perceptron, which corrects only the
  true and the winning unit, so that the binary rule is used unchanged.

Deviations from the paper:

- Rosenblatt's photo-perceptron puts a layer of randomly connected, fixed association units
  (A-units) between the retina and the response units; only A -> R connections learn. This
  module is the learned layer alone, reading the inputs directly (the "simple perceptron" of
  Minsky & Papert and of today's textbooks); a fixed random A-layer is not modelled. That is
  why it cannot learn XOR (no separating line exists), which a perceptron with suitable
  A-units can.
- The 1958 paper analyses reinforcement systems (alpha, gamma) of a probabilistic model; the
  deterministic error-correction rule and its convergence theorem are from 1962. That rule is
  what is implemented.
- Weights start at zero (``init_std=0``), Novikoff's assumption; the Mark I started from random
  potentiometer settings.
- Lightning: one training step takes a chunk of patterns (the datamodule's ``batch_size``) and
  applies the rule to them one at a time, in order, inside the step: on one process the
  weights are exactly those of a hand-written pattern-by-pattern loop, whatever the chunk
  size. The loop is vectorised between corrections: the scores of the next patterns are
  computed in one product, and the weights change at the first wrong one (``correct``).
- Manual optimisation: ``configure_optimizers`` returns ``Corrections``, an optimizer that
  changes nothing; its ``step`` runs the rule (as its closure) so Lightning counts one weight
  update per step (``global_step``, which checkpoints and logging go by).
- DDP: each process applies the rule to its own share of the chunk, starting from the common
  weights; the changes are then summed over processes with an all-reduce and added to the
  common weights, so every process holds the same weights after every step (every correction
  made anywhere counts once). This is the "iterative parameter mixing" of McDonald, Hall &
  Mann (NAACL 2010) with summed instead of averaged changes; with one process it is the exact
  sequential rule, and the mistake bound is then only proved for one process.
- Precision: the rule's scores and updates always run in float32, autocast off, so
  ``bf16-mixed`` cannot flip a threshold decision; evaluation (``forward``) follows the
  trainer's precision.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

import lightning.pytorch as L
import torch
from torch import Tensor, nn

__all__ = ["Perceptron", "Corrections"]


class Corrections(torch.optim.Optimizer):
    """An optimizer that does no optimisation: ``step(closure)`` only runs the closure, which
    applies the error-correction rule in place. It exists so that Lightning counts weight
    updates (``global_step``) under manual optimisation; it holds no state."""

    def __init__(self, params: Iterable[Tensor]) -> None:
        super().__init__(params, {})

    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # type: ignore[override]
        return closure() if closure is not None else None


class Perceptron(L.LightningModule):
    """Rosenblatt's perceptron: threshold response units trained by error correction.

    Args:
        inputs: sensory points D (input features; images are flattened): 64 for the 8x8
            digits, 784 for MNIST, 2 for the plane tasks.
        num_classes: 2 for one response unit; more for one unit per class (one-vs-rest
            corrections, winner-take-all read-out).
        eta: the correction's size; with zero initial weights it only scales the weights and
            changes no decision (the paper's unit increment: 1).
        init_std: initial weights and thresholds drawn from N(0, init_std^2); 0 starts at zero
            (Novikoff's theorem assumes it).
    """

    def __init__(self, inputs: int = 64, num_classes: int = 10, eta: float = 1.0, init_std: float = 0.0) -> None:
        super().__init__()
        if inputs < 1 or num_classes < 2:
            raise ValueError(f"inputs={inputs}, num_classes={num_classes}: need inputs >= 1 and num_classes >= 2")
        if eta <= 0:
            raise ValueError(f"eta={eta}: the correction must be positive")
        self.save_hyperparameters()
        self.automatic_optimization = False  # the rule is no gradient step
        units = 1 if num_classes == 2 else num_classes
        self.weight = nn.Parameter(torch.randn(units, inputs) * init_std)  # (K, D): w_k
        self.bias = nn.Parameter(torch.randn(units) * init_std)  # (K,): the threshold, -theta_k
        # Corrections made so far (one per unit changed per pattern), and how many had been
        # made before the first pass with no correction at all (-1: not yet).
        self.register_buffer("corrections", torch.tensor(0, dtype=torch.int64))
        self.register_buffer("solved_at", torch.tensor(-1, dtype=torch.int64))
        self._pass_mistakes = 0  # patterns wrongly answered by some unit in this pass (this process)

    # ----- the response units
    def forward(self, x: Tensor) -> Tensor:
        """(B, ...) inputs -> (B, K) total inputs w_k . x + b_k of the response units."""
        return x.flatten(1) @ self.weight.t() + self.bias

    def predict(self, scores: Tensor) -> Tensor:
        """(B, K) scores -> (B,) classes: the unit that fires (K = 1) or the winner (K > 1)."""
        return (scores[:, 0] > 0).long() if scores.shape[1] == 1 else scores.argmax(1)

    def targets(self, labels: Tensor) -> Tensor:
        """(B,) class labels -> (B, K) desired responses t in {0, 1}: one-vs-rest."""
        if self.weight.shape[0] == 1:
            return (labels == 1).float()[:, None]
        return nn.functional.one_hot(labels, self.weight.shape[0]).float()

    # ----- the error-correction rule
    @torch.no_grad()
    def correct(self, x: Tensor, t: Tensor) -> tuple[int, int]:
        """Present the patterns ``x`` (B, D) with desired responses ``t`` (B, K), in order, and
        correct every unit that answers wrongly, in place. Returns (patterns with a
        correction, unit corrections).

        Same result as a loop over the patterns; between two corrections the weights do not
        change, so the scores of a window of next patterns are computed in one product and the
        loop jumps to the first wrong one. The window follows the gaps between corrections
        (short early in training, long once mistakes are rare).
        """
        w, b, eta = self.weight, self.bias, self.hparams.eta
        patterns = corrections = 0
        i, n, window = 0, len(x), 16
        while i < n:
            xs = x[i : i + window]  # (W, D)
            r = (xs @ w.t() + b > 0).float()  # (W, K) responses with the current weights
            wrong = (r != t[i : i + window]).any(1).nonzero()
            if len(wrong) == 0:
                i += len(xs)
                window = min(2 * window, 4096)
                continue
            j = int(wrong[0])
            window = min(max(4 * (j + 1), 8), 4096)
            e = t[i + j] - r[j]  # (K,) in {-1, 0, 1}: which units to correct, and which way
            w.add_(e[:, None] * xs[j], alpha=eta)  # w_k <- w_k + eta (t_k - r_k) x
            b.add_(e, alpha=eta)  # b_k <- b_k + eta (t_k - r_k), the always-on input
            patterns += 1
            corrections += int(e.abs().sum())
            i += j + 1
        return patterns, corrections

    def _apply_rule(self, x: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
        """The rule on this process's patterns; under DDP the changes of all processes summed."""
        t = self.targets(labels)
        world = self.trainer.world_size if self._trainer is not None else 1
        start = (self.weight.detach().clone(), self.bias.detach().clone()) if world > 1 else None
        with torch.autocast(x.device.type, enabled=False):
            s = self(x)  # (B, K) at the chunk's starting weights
            criterion = (-(t - (s > 0).float()) * s).clamp(min=0).sum(1).mean()
            patterns, corrections = self.correct(x, t)
        counts = torch.tensor([patterns, corrections], dtype=torch.float64, device=x.device)
        if world > 1:
            with torch.no_grad():
                w0, b0 = start
                delta = torch.cat([(self.weight - w0).flatten(), self.bias - b0])
                delta = self.trainer.strategy.reduce(delta, reduce_op="sum")
                counts = self.trainer.strategy.reduce(counts, reduce_op="sum")
                self.weight.copy_(w0 + delta[: w0.numel()].view_as(w0))
                self.bias.copy_(b0 + delta[w0.numel() :])
        return criterion.detach(), counts

    # ----- Lightning: one step is one chunk of patterns, presented one by one
    def training_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        x, labels = batch
        x = x.flatten(1).float()  # (B, D)
        result: dict[str, Tensor] = {}

        def rule() -> None:
            result["criterion"], result["counts"] = self._apply_rule(x, labels)

        self.optimizers().step(closure=rule)  # Corrections.step: runs the rule, counts the update
        patterns, corrections = (int(c) for c in result["counts"])
        self.corrections += corrections
        self._pass_mistakes += patterns  # already summed over processes
        # The perceptron criterion sum_k max(0, -(2t_k - 1) s_k) over wrongly answering units,
        # at the chunk's starting weights: the quantity each correction decreases.
        self.log("train_loss", result["criterion"], on_step=False, on_epoch=True, batch_size=len(x), sync_dist=True)
        self.log("train_mistakes", float(patterns), on_step=False, on_epoch=True, reduce_fx="sum")
        self.log("corrections", self.corrections.float(), on_step=False, on_epoch=True)

    def on_train_epoch_start(self) -> None:
        self._pass_mistakes = 0

    def on_train_epoch_end(self) -> None:
        # A pass with no correction: every training pattern is answered right (Novikoff's end).
        if self._pass_mistakes == 0 and self.solved_at < 0:
            self.solved_at.fill_(int(self.corrections))
        if self.solved_at >= 0:
            self.log("corrections_to_solve", self.solved_at.float())

    def configure_optimizers(self) -> Corrections:
        return Corrections(self.parameters())

    # ----- evaluation
    def _evaluate(self, batch: tuple[Tensor, Tensor], prefix: str) -> None:
        x, labels = batch
        wrong = (self.predict(self(x.float())) != labels).float().mean()
        n = len(labels)
        self.log(f"{prefix}_error", wrong, batch_size=n, sync_dist=True, add_dataloader_idx=False, prog_bar=True)
        self.log(f"{prefix}_accuracy", 1 - wrong, batch_size=n, sync_dist=True, add_dataloader_idx=False)

    def validation_step(self, batch: tuple[Tensor, Tensor], batch_idx: int, dataloader_idx: int = 0) -> None:
        """Loader 0 is the validation set; a second loader (``eval_train``) is the training set."""
        self._evaluate(batch, "val" if dataloader_idx == 0 else "train")

    def test_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        self._evaluate(batch, "test")

    def predict_step(self, batch: tuple[Tensor, ...], batch_idx: int) -> Tensor:
        return self.predict(self(batch[0].float()))
