"""LeNet (1989): the first convolutional network trained end to end with backpropagation.

Y. LeCun, B. Boser, J. S. Denker, D. Henderson, R. E. Howard, W. Hubbard, L. D. Jackel,
"Backpropagation Applied to Handwritten Zip Code Recognition", Neural Computation 1(4):541-551,
1989. https://doi.org/10.1162/neco.1989.1.4.541

The network, as the paper's architecture section describes it::

    input  16x16 grey image in [-1, 1]                                256 units
    H1     12 feature maps 8x8: 5x5 kernels, stride 2, frame of -1    768 units, 19,968 connections
    H2     12 feature maps 4x4: 5x5 kernels, stride 2, each map
           reading 8 of the 12 H1 maps                                192 units, 38,592 connections
    H3     30 units, fully connected to H2                             30 units,  5,790 connections
    output 10 units, fully connected to H3, one per digit              10 units,    310 connections
                                                          total     1,256 units, 64,660 connections

Weights are shared within a feature map (25 per H1 map, 200 per H2 map) but every unit has
its own bias, so the 64,660 connections have 9,760 free parameters, the paper's count. Every
unit squashes with a (scaled) hyperbolic tangent; targets are +1 for the digit's unit and -1
elsewhere; the cost is the mean squared error; weights start uniform in
±2.4/sqrt(fan-in); training is 23 passes of one update per sample, in a fixed order.

Deviations from the paper, all of them karpathy/lecun1989-repro's choices unless noted:

- Learning rule: the paper uses "a special version of Newton's algorithm that uses a positive,
  diagonal approximation of the Hessian" (Becker & LeCun 1988; later called stochastic
  diagonal Levenberg-Marquardt), per sample. We use plain per-sample SGD with a constant learning rate of 0.03
  (the repro's swept value; the paper says the Newton variant "is not believed to bring a
  tremendous increase in learning speed"). No momentum, weight decay or schedule.
- H1 -> H2 connections: the paper says only that each H2 map reads 8 of the 12 H1 maps
  "chosen according to a scheme that will not be discussed here". We use the repro's block
  scheme (``CONNECTIONS``): H2 maps 0-3 read H1 maps 0-7, maps 4-7 read 4-11, maps 8-11 read
  0-3 and 8-11. It is stored as a dense 12x12x5x5 kernel times a fixed 0/1 mask, so the 1,200
  masked weights get exactly zero gradient and stay zero: the module holds 10,960 parameter
  values of which 9,760 are free (``num_free_parameters``), as in the paper.
- Padding: 5x5 stride-2 kernels give 8x8 maps from a 16x16 image only with a 2-pixel frame,
  which is background (-1) for the input. H2 reads 8x8 maps the same way to give 4x4, so H1's
  maps get a -1 frame too (the repro's choice; the paper does not say what lies outside them).
- Weight init: the paper's range is ±2.4/F_i; with the repro we read the typesetting as
  ±2.4/sqrt(F_i) (close to today's Kaiming-uniform for tanh). Biases start at 0, except the
  output biases at -1 (9 of 10 targets are -1): the paper does not say.
- Squashing function: the paper uses "a scaled hyperbolic tangent" with the targets "within
  the quasilinear range of the sigmoid", without constants. ``scaled_tanh=True`` uses
  f(a) = 1.7159 tanh(2a/3) from LeCun et al. 1998 (Proc. IEEE, Appendix A), chosen so f(±1) =
  ±1: targets ±1 then sit in the quasilinear range, as the paper asks. The default is the
  repro's plain tanh (whose ±1 targets are asymptotes): the 1989 constants are not stated, the
  repro swept its learning rate for plain tanh, and at that rate the scaled one measured worse
  on USPS (docs/lenet1989.md has both).
- Loss: the mean over the 10 outputs of the squared error, no factor 1/2 (the repro's reading;
  the paper's final MSEs, 2.5e-3 train and 1.8e-2 test, are on this scale).
- Data: the paper's 7,291/2,007 USPS digits were normalised to 16x16 grey images at Bell
  Labs. The Hull/ESL "zip" files (``landmark.datamodules.usps``) are deslanted, size-normalised
  16x16 USPS digits from the same AT&T group with the same split sizes, but we cannot check
  that they are the identical images or preprocessing.
- Validation data: the test set (the paper reports test error after every pass).

Speed: with one sample per update Lightning's per-step machinery would cost about as much as
the step itself, so one Lightning training step takes a chunk of samples (the datamodule's
``batch_size``) and makes one SGD update per sample, in order, inside it (manual
optimisation). The math and the order are those of a hand-written loop; logging and
checkpoints happen once per chunk/epoch. See ``training_step``.
"""

from __future__ import annotations

from typing import Callable

import lightning.pytorch as L
import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["LeNet1989", "CONNECTIONS"]

# Which of the 12 H1 maps each of the 12 H2 maps reads (karpathy/lecun1989-repro's scheme).
CONNECTIONS: tuple[tuple[int, ...], ...] = (
    *[tuple(range(0, 8))] * 4,
    *[tuple(range(4, 12))] * 4,
    *[(0, 1, 2, 3, 8, 9, 10, 11)] * 4,
)


def uniform_init(fan_in: int, *shape: int, gain: float = 2.4) -> Tensor:
    """U[-gain/sqrt(fan_in), gain/sqrt(fan_in)] ("Experimental Environment" section)."""
    return (torch.rand(*shape) - 0.5) * 2 * gain / fan_in**0.5


def _is_plain_sgd(opt: torch.optim.Optimizer) -> bool:
    """``torch.optim.SGD`` whose step is exactly ``p.add_(grad, alpha=-lr)``: one group, no extras."""
    if type(opt) is not torch.optim.SGD or len(opt.param_groups) != 1:
        return False
    g = opt.param_groups[0]
    extras = g["maximize"] or g.get("fused") or g.get("differentiable")
    return g["momentum"] == 0 and g["weight_decay"] == 0 and not extras


class LeNet1989(L.LightningModule):
    """LeCun et al. (1989) zip-code network, trained by per-sample SGD.

    Args:
        lr: SGD learning rate per sample (karpathy/lecun1989-repro's 0.03; the paper used a
            diagonal-Newton step size instead).
        scaled_tanh: squash with 1.7159 tanh(2a/3) (the paper's "scaled hyperbolic tangent",
            constants from LeCun et al. 1998) instead of plain tanh (the repro).
        init_gain: weights start in U[-g/sqrt(fan_in), g/sqrt(fan_in)]; the paper's g = 2.4.
        compile: ``torch.compile`` each per-sample update (forward, backward and SGD step as one
            graph): about 1.4x faster per sample on CPU after ~10 s of compiling, no longer
            bit-identical to an eager loop. Single process only; DDP runs eager.
    """

    def __init__(
        self,
        lr: float = 0.03,
        scaled_tanh: bool = False,
        init_gain: float = 2.4,
        compile: bool = False,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        # One SGD update per sample, several samples per Lightning step (see training_step).
        self.automatic_optimization = False

        # Parameters are created in the repro's order with the repro's shapes, so the same
        # seed gives the repro's initial weights.
        # H1: 12 maps of 8x8, one shared 5x5 kernel per map, one bias per unit.
        self.h1_weight = nn.Parameter(uniform_init(5 * 5 * 1, 12, 1, 5, 5, gain=init_gain))
        self.h1_bias = nn.Parameter(torch.zeros(12, 8, 8))
        # H2: 12 maps of 4x4, each reading 8 of the 12 H1 maps through a 5x5 kernel (200 weights).
        h2_free = uniform_init(5 * 5 * 8, 12, 8, 5, 5, gain=init_gain)
        mask = torch.zeros(12, 12, 1, 1)
        h2_weight = torch.zeros(12, 12, 5, 5)
        for out_map, in_maps in enumerate(CONNECTIONS):
            mask[out_map, list(in_maps)] = 1.0
            h2_weight[out_map, list(in_maps)] = h2_free[out_map]
        self.h2_weight = nn.Parameter(h2_weight)
        self.register_buffer("h2_mask", mask, persistent=False)
        self.h2_bias = nn.Parameter(torch.zeros(12, 4, 4))
        # H3: 30 units fully connected to the 192 H2 units.
        self.h3_weight = nn.Parameter(uniform_init(4 * 4 * 12, 4 * 4 * 12, 30, gain=init_gain))
        self.h3_bias = nn.Parameter(torch.zeros(30))
        # Output: 10 units fully connected to H3.
        self.out_weight = nn.Parameter(uniform_init(30, 30, 10, gain=init_gain))
        self.out_bias = nn.Parameter(-torch.ones(10))

        self._scaled_tanh = scaled_tanh
        self._compiled_step: Callable[[Tensor, Tensor, float], Tensor] | None = None  # made in on_fit_start

    # ----------------------------------------------------------------------------- network

    def squash(self, a: Tensor) -> Tensor:
        if self._scaled_tanh:  # a plain attribute: self.hparams costs ~1 us a lookup, 4 per sample
            return 1.7159 * torch.tanh(a * (2.0 / 3.0))
        return torch.tanh(a)

    def forward(self, x: Tensor) -> Tensor:
        """(B, 1, 16, 16) images in [-1, 1] -> (B, 10) outputs in the squashing range."""
        x = F.pad(x, (2, 2, 2, 2), value=-1.0)  # (B, 1, 20, 20), background frame
        x = self.squash(F.conv2d(x, self.h1_weight, stride=2) + self.h1_bias)  # (B, 12, 8, 8)
        x = F.pad(x, (2, 2, 2, 2), value=-1.0)  # (B, 12, 12, 12)
        x = F.conv2d(x, self.h2_weight * self.h2_mask, stride=2)  # (B, 12, 4, 4), 8 of 12 maps each
        x = self.squash(x + self.h2_bias)
        x = self.squash(x.flatten(1) @ self.h3_weight + self.h3_bias)  # (B, 30)
        return self.squash(x @ self.out_weight + self.out_bias)  # (B, 10)

    @staticmethod
    def targets(labels: Tensor) -> Tensor:
        """Digit labels (B,) -> targets (B, 10): +1 for the digit's unit, -1 for the others."""
        return torch.full((labels.numel(), 10), -1.0, device=labels.device).scatter_(1, labels.view(-1, 1), 1.0)

    def sample_loss(self, x: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(self(x), target)

    def num_free_parameters(self) -> int:
        """Independent parameters, as the paper counts them (9,760): masked H2 weights excluded."""
        masked = int((self.h2_mask == 0).sum()) * 5 * 5
        return sum(p.numel() for p in self.parameters()) - masked

    # ----------------------------------------------------------------------------- training

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)

    def on_fit_start(self) -> None:
        if self.hparams.compile and self._compiled_step is None:
            self._compiled_step = torch.compile(self.functional_sgd_step, dynamic=False)

    def functional_sgd_step(self, x: Tensor, target: Tensor, lr: float) -> Tensor:
        """One SGD update on one sample as a pure function of the weights (``torch.func``), so
        ``torch.compile`` turns forward, backward and update into one graph (``compile=True``)."""
        names, params = zip(*self.named_parameters())

        def loss_of(weights: dict[str, Tensor]) -> Tensor:
            return F.mse_loss(torch.func.functional_call(self, weights, (x,)), target)

        with torch.no_grad():
            grads, loss = torch.func.grad_and_value(loss_of)({n: p.detach() for n, p in zip(names, params)})
            torch._foreach_add_(list(params), [grads[n] for n in names], alpha=-lr)
        return loss

    def training_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        """One SGD update per sample of the chunk ``batch``, in order: the paper's learning.

        On one process, without a gradient scaler and with plain SGD, the update is done here:
        ``p -= lr * grad`` on the gradients from ``autograd.grad``, the arithmetic of
        ``torch.optim.SGD.step`` on CPU (so the weights are bit-identical to a hand-written
        loop's), without Lightning's per-call hooks, which would cost a good part of the 0.5 ms
        update. The trainer still counts every update (``global_step``) and profiles it as
        ``optimizer_step``; callbacks' per-update hooks (``on_before_backward``,
        ``on_after_backward``, ``on_before_optimizer_step``) do not run, and ``p.grad`` stays
        None. With ``compile=True`` the update is ``functional_sgd_step``, compiled. Otherwise
        (DDP, a gradient scaler, another optimizer) every sample goes through
        ``manual_backward`` and the Lightning optimizer, eager; under DDP the gradients are then
        averaged over processes: synchronous SGD with one sample per process per update.
        """
        x, labels = batch  # (S, 1, 16, 16), (S,)
        target = self.targets(labels)  # (S, 10)
        opt = self.optimizers()
        sgd = opt.optimizer
        params = [p for group in sgd.param_groups for p in group["params"]]
        lr = sgd.param_groups[0]["lr"]
        fast = (
            self.trainer.world_size == 1
            and getattr(self.trainer.precision_plugin, "scaler", None) is None
            and _is_plain_sgd(sgd)  # not, e.g., an optimizer swapped in from the command line
        )
        losses = []
        for xi, ti in zip(x.split(1), target.split(1)):  # (1, 1, 16, 16), (1, 10)
            if fast and self._compiled_step is not None:
                opt._on_before_step()  # what LightningOptimizer.step does: count and profile the step
                loss = self._compiled_step(xi, ti, lr)
                opt._on_after_step()
            elif fast:
                loss = self.sample_loss(xi, ti)
                grads = torch.autograd.grad(loss, params)
                opt._on_before_step()
                with torch.no_grad():
                    torch._foreach_add_(params, grads, alpha=-lr)  # CPU SGD.step: p.add_(grad, alpha=-lr)
                opt._on_after_step()
            else:
                loss = self.sample_loss(xi, ti)
                opt.zero_grad(set_to_none=True)
                self.manual_backward(loss)
                opt.step()
            losses.append(loss.detach())
        self.log("train_loss", torch.stack(losses).mean(), prog_bar=True, batch_size=len(losses))

    # ----------------------------------------------------------------------------- evaluation

    def validation_step(self, batch: tuple[Tensor, Tensor], batch_idx: int, dataloader_idx: int = 0) -> None:
        """Error (%) and MSE after each pass: loader 0 is the test set, loader 1 the training set.

        The paper reports both after every pass (its learning curves); the datamodule serves
        the test set as validation for that reason.
        """
        x, labels = batch
        if self.trainer.sanity_checking:  # the check only proves the step runs; a full pass costs a pass
            x, labels = x[:64], labels[:64]
        out = self(x)
        error = (out.argmax(1) != labels).float().mean() * 100
        loss = F.mse_loss(out.float(), self.targets(labels))
        prefix = "val" if dataloader_idx == 0 else "train"
        n = len(labels)
        self.log(f"{prefix}_error", error, batch_size=n, sync_dist=True, add_dataloader_idx=False, prog_bar=True)
        self.log(f"{prefix}_mse", loss, batch_size=n, sync_dist=True, add_dataloader_idx=False)

    def test_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        x, labels = batch
        out = self(x)
        self.log("test_error", (out.argmax(1) != labels).float().mean() * 100, batch_size=len(labels), sync_dist=True)
        self.log("test_mse", F.mse_loss(out.float(), self.targets(labels)), batch_size=len(labels), sync_dist=True)

    def predict_step(self, batch: tuple[Tensor, ...], batch_idx: int) -> Tensor:
        return self(batch[0]).argmax(1)
