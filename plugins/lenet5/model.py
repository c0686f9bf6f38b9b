"""LeNet-5 (1998): the convolutional network of "Gradient-based learning applied to document recognition".

Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, "Gradient-Based Learning Applied to Document
Recognition", Proceedings of the IEEE 86(11):2278-2324, 1998. https://doi.org/10.1109/5.726791

The network, as Section II.B describes it (units, trainable parameters, connections)::

    input  1@32x32: a 28x28 MNIST digit centred in a 32x32 field,
           background -0.1, ink 1.175 (Section II.A)                    1,024
    C1     6@28x28   5x5 convolution                      4,704 units     156 params   122,304 connections
    S2     6@14x14   2x2 sum x trainable coef + bias        1,176            12            5,880
    C3     16@10x10  5x5 convolution, each map reads the
                     S2 maps of Table I (60 of 96 pairs)    1,600         1,516          151,600
    S4     16@5x5    2x2 sum x trainable coef + bias          400            32            2,000
    C5     120@1x1   5x5 convolution over all 16 S4 maps      120        48,120           48,120
    F6     84        fully connected                           84        10,164           10,164
    output 10        Euclidean RBF units, fixed codes          10             0              840
                                                                   total 60,000 free parameters

Every unit up to F6 computes a weighted sum plus bias and squashes it with the scaled tanh
f(a) = A tanh(S a), A = 1.7159, S = 2/3 (Section II.A, Appendix A: f(±1) = ±1, the second
derivative is largest at ±1 and the gain is close to 1). The S-layers add the four inputs of
a 2x2 block, multiply by one trainable coefficient per map, add a trainable bias and squash.
The output units compute y_i = sum_j (x_j - w_ij)^2 (Eq. 7), the squared distance between F6's
state and a fixed ±1 code of digit i; the prediction is the unit with the smallest y. The loss is
the MAP criterion of Eq. 9 with j = 0.1:
E = 1/P sum_p ( y_{D_p}(Z_p, W) + log(e^{-j} + sum_i e^{-y_i(Z_p, W)}) ); Eq. 8 (MLE,
``loss="mle"``) keeps only the first term. Weights start uniform in ±2.4/F_i, F_i the unit's
fan-in (Appendix A). Training is stochastic diagonal Levenberg-Marquardt (Appendix C): each
parameter k gets the step eta / (mu + h_kk), h_kk the Gauss-Newton estimate of the diagonal
second derivative, re-estimated on 500 training patterns before each pass, mu = 0.02, and the
global eta goes 0.0005 (passes 1-2), 0.0002 (3-5), 0.0001 (6-8), 0.00005 (9-12), 0.00001
(13-20) (Section III.C).

Deviations from the paper:

- RBF codes: the paper's codes are stylised 7x12 bitmaps of the characters (Section II.B,
  Fig. 3), not reproduced in the text. ``DIGIT_BITMAPS`` are our own hand-drawn 7x12 digit
  glyphs in the same spirit (+1 ink, -1 background, so confusable digits such as 3/8 or 5/6
  get close codes, which is the point the paper makes); their minimum pairwise Hamming distance
  is printed by the tests. Not the paper's exact bits.
- SDLM on mini-batches: the paper updates after every pattern. One Lightning step here takes a
  batch of B patterns (the datamodule's ``batch_size``) and makes one SDLM step on the *sum*
  of their losses, i.e. B per-pattern steps taken at the same point; ``batch_size: 1`` is the
  paper's rule exactly, and is ~10x slower on CPU. The h_kk are estimated before each pass on
  500 training patterns drawn from the pass's index (identical on every DDP rank).
- Second derivative of the loss w.r.t. F6's state: 2 (that of the y_{D_p} term, exact for
  Eq. 8); the MAP term's contribution is left out, as the Gauss-Newton approximation drops
  terms that can be negative. The paper does not spell out its output-layer rule.
- Biases are drawn from the same ±2.4/F_i range as weights (the paper treats a bias as a
  weight from a constant input and does not single it out).
- C3's partial connections are a dense 16x6x5x5 kernel times a fixed 0/1 mask (Table I): the
  900 masked weights get exactly zero gradient and stay zero; ``num_free_parameters()`` is the
  paper's 60,000.
- Distortions (the paper's 0.8% run) are not implemented; the 0.95% run uses none.

The "modern" variant is a configuration of the same class: ``activation: relu``,
``pooling: max``, ``c3_table: false``, ``output: linear``, ``loss: cross_entropy``,
``optimizer: adam``, ``init: torch``.
"""

from __future__ import annotations

import math
from typing import Callable, Literal

import lightning.pytorch as L
import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["LeNet5", "SDLM", "TABLE_I", "DIGIT_BITMAPS", "rbf_codes", "PAPER_LR_SCHEDULE"]

# Table I: the S2 maps (rows 0-5) that each C3 map (0-15) reads. Maps 0-5 read three
# contiguous S2 maps, 6-11 four contiguous, 12-14 four non-contiguous, 15 all six; the paper's
# reasons: keep the connection count in bounds and break the symmetry between maps.
TABLE_I: tuple[tuple[int, ...], ...] = (
    *[tuple((i + k) % 6 for k in range(3)) for i in range(6)],
    *[tuple((i + k) % 6 for k in range(4)) for i in range(6)],
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)  # fmt: skip

# Section III.C: global learning rate per pass (the last value holds for later passes).
PAPER_LR_SCHEDULE: tuple[float, ...] = (5e-4,) * 2 + (2e-4,) * 3 + (1e-4,) * 3 + (5e-5,) * 4 + (1e-5,) * 8

# Stand-in for the paper's 7x12 output codes (Fig. 3): hand-drawn digit glyphs, '#' = +1, '.' = -1.
DIGIT_BITMAPS: tuple[tuple[str, ...], ...] = (
    (".......", "..###..", ".#...#.", "#.....#", "#.....#", "#.....#", "#.....#", "#.....#", "#.....#", ".#...#.", "..###..", "......."),
    (".......", "...#...", "..##...", ".#.#...", "...#...", "...#...", "...#...", "...#...", "...#...", "...#...", ".#####.", "......."),
    (".......", "..###..", ".#...#.", "#.....#", "......#", ".....#.", "....#..", "...#...", "..#....", ".#.....", "#######", "......."),
    (".......", ".####..", "#....#.", "......#", ".....#.", "..###..", ".....#.", "......#", "......#", "#....#.", ".####..", "......."),
    (".......", ".....#.", "....##.", "...#.#.", "..#..#.", ".#...#.", "#....#.", "#######", ".....#.", ".....#.", ".....#.", "......."),
    (".......", "#######", "#......", "#......", "#.###..", "##...#.", "......#", "......#", "......#", "#....#.", ".####..", "......."),
    (".......", "..###..", ".#.....", "#......", "#......", "#.###..", "##...#.", "#.....#", "#.....#", ".#...#.", "..###..", "......."),
    (".......", "#######", "......#", ".....#.", "....#..", "....#..", "...#...", "...#...", "..#....", "..#....", "..#....", "......."),
    (".......", "..###..", ".#...#.", "#.....#", ".#...#.", "..###..", ".#...#.", "#.....#", "#.....#", ".#...#.", "..###..", "......."),
    (".......", "..###..", ".#...#.", "#.....#", "#.....#", ".#...##", "..###.#", "......#", "......#", ".....#.", "..###..", "......."),
)  # fmt: skip


def rbf_codes() -> Tensor:
    """(10, 84) ±1 codes of the RBF output units, from ``DIGIT_BITMAPS`` (12 rows of 7)."""
    return torch.tensor([[1.0 if c == "#" else -1.0 for row in glyph for c in row] for glyph in DIGIT_BITMAPS])


class SDLM(torch.optim.Optimizer):
    """Stochastic diagonal Levenberg-Marquardt (Appendix C): w_k -= lr / (mu + h_kk) * dE/dw_k.

    ``h_kk`` lives in ``state[p]["hessian"]`` (so checkpoints carry it); the model sets it
    (``LeNet5.estimate_hessian``). Until it is set, h = 0 and the step is lr / mu.
    """

    def __init__(self, params, lr: float = 5e-4, mu: float = 0.02) -> None:
        super().__init__(params, dict(lr=lr, mu=mu))

    @torch.no_grad()
    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                h = self.state[p].get("hessian")
                denom = torch.full_like(p, group["mu"]) if h is None else h + group["mu"]
                p.addcdiv_(p.grad, denom, value=-group["lr"])
        return loss


def _uniform(shape: tuple[int, ...], bound: Tensor | float) -> Tensor:
    return (torch.rand(shape) * 2 - 1) * bound


class LeNet5(L.LightningModule):
    """LeCun et al. (1998) LeNet-5, with the paper's layers, loss, initialisation and SDLM.

    Args:
        activation: squashing function of C1-F6: ``scaled_tanh`` 1.7159 tanh(2a/3) (the paper),
            ``tanh``, or ``relu`` (modern).
        pooling: S2/S4: ``trainable`` (the paper: 2x2 sum times a trainable coefficient plus a
            trainable bias, then the squashing function), ``max`` or ``avg`` (parameter-free,
            no squashing).
        c3_table: connect C3 to S2 by Table I (the paper); false connects every map.
        output: ``rbf`` (the paper's Euclidean RBF units with fixed ±1 codes) or ``linear``
            (10 trainable units giving logits).
        loss: ``map`` (Eq. 9), ``mle`` (Eq. 8: the RBF output of the correct class), or
            ``cross_entropy`` (softmax over the logits; with ``rbf`` the logits are -y).
        map_j: the constant j of Eq. 9 (the paper's 0.1).
        init: ``paper``: every weight and bias uniform in ±init_gain/F_i, F_i the unit's fan-in
            (Appendix A); ``torch``: uniform in ±1/sqrt(F_i), PyTorch's default.
        init_gain: the 2.4 of the paper's initialisation.
        optimizer: ``sdlm`` (Appendix C; needs ``pooling: trainable`` and ``output: rbf``),
            ``sgd`` or ``adam`` (on the mean loss of a batch; SDLM uses the sum, see the module
            docstring).
        lr_schedule: learning rate of each pass (epoch); the last value holds after. SDLM: the
            global eta of Section III.C.
        sdlm_mu: the mu of SDLM's step eta / (mu + h_kk) (the paper's 0.02).
        sdlm_samples: training patterns the h_kk are estimated on before each pass (500).
        weight_decay: L2 penalty for ``sgd``/``adam`` (the paper uses none).
    """

    def __init__(
        self,
        activation: Literal["scaled_tanh", "tanh", "relu"] = "scaled_tanh",
        pooling: Literal["trainable", "max", "avg"] = "trainable",
        c3_table: bool = True,
        output: Literal["rbf", "linear"] = "rbf",
        loss: Literal["map", "mle", "cross_entropy"] = "map",
        map_j: float = 0.1,
        init: Literal["paper", "torch"] = "paper",
        init_gain: float = 2.4,
        optimizer: Literal["sdlm", "sgd", "adam"] = "sdlm",
        lr_schedule: tuple[float, ...] = PAPER_LR_SCHEDULE,
        sdlm_mu: float = 0.02,
        sdlm_samples: int = 500,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        if output == "linear" and loss != "cross_entropy":
            raise ValueError(f"loss={loss!r} needs output='rbf' (Eq. 8/9 are defined on RBF distances); use cross_entropy")
        if optimizer == "sdlm" and (pooling != "trainable" or output != "rbf"):
            raise ValueError(f"optimizer='sdlm' needs pooling='trainable' and output='rbf' (got {pooling!r}, {output!r})")
        if not lr_schedule:
            raise ValueError("lr_schedule is empty: give at least one learning rate")

        def bound(fan_in: Tensor | float) -> Tensor | float:
            return init_gain / fan_in if init == "paper" else fan_in**-0.5

        # C1: 6 maps 28x28, 5x5 kernels on the 32x32 input (fan-in 25).
        self.c1_weight = nn.Parameter(_uniform((6, 1, 5, 5), bound(25)))
        self.c1_bias = nn.Parameter(_uniform((6,), bound(25)))
        if pooling == "trainable":  # S2: one coefficient and one bias per map (fan-in 4).
            self.s2_coef = nn.Parameter(_uniform((6,), bound(4)))
            self.s2_bias = nn.Parameter(_uniform((6,), bound(4)))
        # C3: 16 maps 10x10, each reading the S2 maps of Table I (fan-in 75, 100 or 150).
        mask = torch.zeros(16, 6, 1, 1)
        for out_map, in_maps in enumerate(TABLE_I if c3_table else [range(6)] * 16):
            mask[out_map, list(in_maps)] = 1.0
        fan_in = mask.sum(1).view(16) * 25  # (16,)
        self.register_buffer("c3_mask", mask, persistent=False)
        self.c3_weight = nn.Parameter(_uniform((16, 6, 5, 5), bound(fan_in).view(16, 1, 1, 1)) * mask)
        self.c3_bias = nn.Parameter(_uniform((16,), bound(fan_in)))
        if pooling == "trainable":  # S4
            self.s4_coef = nn.Parameter(_uniform((16,), bound(4)))
            self.s4_bias = nn.Parameter(_uniform((16,), bound(4)))
        # C5: 120 maps 1x1, 5x5 kernels over all 16 S4 maps (fan-in 400).
        self.c5_weight = nn.Parameter(_uniform((120, 16, 5, 5), bound(400)))
        self.c5_bias = nn.Parameter(_uniform((120,), bound(400)))
        # F6: 84 units, fully connected (fan-in 120).
        self.f6_weight = nn.Parameter(_uniform((84, 120), bound(120)))
        self.f6_bias = nn.Parameter(_uniform((84,), bound(120)))
        if output == "rbf":  # fixed, not trained (Section II.B)
            self.register_buffer("codes", rbf_codes(), persistent=False)  # (10, 84)
        else:
            self.out_weight = nn.Parameter(_uniform((10, 84), bound(84)))
            self.out_bias = nn.Parameter(_uniform((10,), bound(84)))

    # ----------------------------------------------------------------------------- network

    def squash(self, a: Tensor) -> Tensor:
        act = self.hparams.activation
        if act == "scaled_tanh":
            return 1.7159 * torch.tanh(a * (2.0 / 3.0))
        return torch.tanh(a) if act == "tanh" else torch.relu(a)

    def squash_slope(self, a: Tensor) -> Tensor:
        """f'(a), for the second-derivative backward pass of SDLM."""
        act = self.hparams.activation
        if act == "scaled_tanh":
            return 1.7159 * (2.0 / 3.0) * (1 - torch.tanh(a * (2.0 / 3.0)) ** 2)
        return 1 - torch.tanh(a) ** 2 if act == "tanh" else (a > 0).to(a.dtype)

    @staticmethod
    def _subsample(x: Tensor, coef: Tensor, bias: Tensor | None) -> Tensor:
        """Trainable subsampling: (sum of each 2x2 block) * coef + bias, per map. (B, C, H, W) -> (B, C, H/2, W/2)."""
        a = F.avg_pool2d(x, 2) * (4 * coef.view(1, -1, 1, 1))
        return a if bias is None else a + bias.view(1, -1, 1, 1)

    def _layers(self) -> list[tuple[Callable[[Tensor, Tensor, Tensor | None], Tensor], Tensor, Tensor]]:
        """The trainable layers C1, S2, C3, S4, C5, F6 (paper pooling) as (linear map, weight, bias);
        each is followed by the squashing function. Shared by ``forward`` and ``estimate_hessian``."""
        mask = self.c3_mask
        return [
            (lambda x, w, b: F.conv2d(x, w, b), self.c1_weight, self.c1_bias),  # (B, 6, 28, 28)
            (self._subsample, self.s2_coef, self.s2_bias),  # (B, 6, 14, 14)
            (lambda x, w, b: F.conv2d(x, w * mask, b), self.c3_weight, self.c3_bias),  # (B, 16, 10, 10)
            (self._subsample, self.s4_coef, self.s4_bias),  # (B, 16, 5, 5)
            (lambda x, w, b: F.conv2d(x, w, b), self.c5_weight, self.c5_bias),  # (B, 120, 1, 1)
            (lambda x, w, b: F.linear(x.flatten(1), w, b), self.f6_weight, self.f6_bias),  # (B, 84)
        ]

    def features(self, x: Tensor) -> Tensor:
        """(B, 1, 32, 32) images -> (B, 84) states of F6."""
        if self.hparams.pooling == "trainable":
            for linear, w, b in self._layers():
                x = self.squash(linear(x, w, b))
            return x
        pool = F.max_pool2d if self.hparams.pooling == "max" else F.avg_pool2d
        x = pool(self.squash(F.conv2d(x, self.c1_weight, self.c1_bias)), 2)  # (B, 6, 14, 14)
        x = pool(self.squash(F.conv2d(x, self.c3_weight * self.c3_mask, self.c3_bias)), 2)  # (B, 16, 5, 5)
        x = self.squash(F.conv2d(x, self.c5_weight, self.c5_bias))  # (B, 120, 1, 1)
        return self.squash(F.linear(x.flatten(1), self.f6_weight, self.f6_bias))  # (B, 84)

    def rbf(self, f6: Tensor) -> Tensor:
        """Eq. 7: y_i = sum_j (x_j - w_ij)^2, (B, 84) -> (B, 10) penalties (lower is better)."""
        return (f6.float().unsqueeze(1) - self.codes).pow(2).sum(-1)

    def forward(self, x: Tensor) -> Tensor:
        """(B, 1, 32, 32) -> (B, 10) scores, higher is better: -y for RBF outputs, else logits."""
        f6 = self.features(x)
        if self.hparams.output == "rbf":
            return -self.rbf(f6)
        return F.linear(f6, self.out_weight, self.out_bias)

    def sample_losses(self, scores: Tensor, labels: Tensor) -> Tensor:
        """Per-pattern loss (B,) from ``forward``'s scores: Eq. 9, Eq. 8 or cross-entropy."""
        scores = scores.float()
        if self.hparams.loss == "cross_entropy":
            return F.cross_entropy(scores, labels, reduction="none")
        y_correct = -scores.gather(1, labels.view(-1, 1)).squeeze(1)  # y_{D_p}
        if self.hparams.loss == "mle":
            return y_correct
        # Eq. 9: + log(e^{-j} + sum_i e^{-y_i}), as a stable logsumexp over [-j, -y_0, ..., -y_9].
        j = scores.new_full((len(scores), 1), -self.hparams.map_j)
        return y_correct + torch.logsumexp(torch.cat([j, scores], 1), 1)

    def num_free_parameters(self) -> int:
        """Independent parameters as the paper counts them (60,000): masked C3 weights excluded."""
        masked = int((self.c3_mask == 0).sum()) * 25
        return sum(p.numel() for p in self.parameters()) - masked

    # ----------------------------------------------------------------------------- SDLM

    @torch.no_grad()
    def estimate_hessian(self, x: Tensor) -> dict[str, Tensor]:
        """Appendix C: the Gauss-Newton diagonal second derivative h_kk of each parameter,
        averaged over the patterns ``x`` (N, 1, 32, 32).

        Second derivatives are back-propagated like first ones, with squared weights and
        squared slopes: d2E/da_i^2 = f'(a_i)^2 sum_k w_ki^2 d2E/da_k^2, and for a (shared)
        weight h_kk = sum over its connections of x_j^2 d2E/da_i^2. We get exactly that from
        autograd through a surrogate network that is linear in its state t: each layer computes
        f'(a)^2 * (linear(x^2, P, Q) + linear(t, W^2, 0)); the gradient of <seed, t_F6> w.r.t. the
        dummy weights P and biases Q is then h. Seed: d2E/dx_F6^2 = 2 (see the module docstring).
        """
        with torch.autocast(self.device.type, enabled=False), torch.enable_grad():
            x = x.float()
            layers = self._layers()
            dummies = [(torch.zeros_like(w, requires_grad=True), torch.zeros_like(b, requires_grad=True)) for _, w, b in layers]
            t: Tensor | None = None
            for (linear, w, b), (pw, pb) in zip(layers, dummies):
                a = linear(x, w.detach(), b.detach())
                pre = linear(x.pow(2), pw, pb)
                if t is not None:
                    pre = pre + linear(t, w.detach().pow(2), None)
                t = self.squash_slope(a).pow(2) * pre
                x = self.squash(a)
            seed = torch.full_like(t, 2.0)
            grads = torch.autograd.grad((t * seed).sum(), [p for pair in dummies for p in pair])
        names = [n for _, w, b in layers for n in (self._name_of(w), self._name_of(b))]
        return {n: g / len(x) for n, g in zip(names, grads)}

    def _name_of(self, p: Tensor) -> str:
        return next(n for n, q in self.named_parameters() if q is p)

    def _hessian_patterns(self) -> Tensor | None:
        """``sdlm_samples`` training images for this pass, the same on every rank, or None."""
        dm = getattr(self.trainer, "datamodule", None)
        train, transform = getattr(dm, "train_set", None), getattr(dm, "transform", None)
        if train is None or transform is None:
            return None
        g = torch.Generator().manual_seed(1998 + self.current_epoch)
        idx = torch.randperm(len(train[0]), generator=g)[: self.hparams.sdlm_samples]
        x, _ = transform((train[0][idx.to(train[0].device)], train[1][idx.to(train[1].device)]))
        return x.to(self.device)

    def _set_hessian(self, x: Tensor) -> None:
        h = self.estimate_hessian(x)
        opt = self.optimizers().optimizer
        params = dict(self.named_parameters())
        for name, value in h.items():
            opt.state[params[name]]["hessian"] = self.trainer.strategy.reduce(value, reduce_op="mean")

    # ----------------------------------------------------------------------------- training

    def configure_optimizers(self) -> torch.optim.Optimizer:
        hp = self.hparams
        lr = hp.lr_schedule[0]
        if hp.optimizer == "sdlm":
            return SDLM(self.parameters(), lr=lr, mu=hp.sdlm_mu)
        if hp.optimizer == "sgd":
            return torch.optim.SGD(self.parameters(), lr=lr, weight_decay=hp.weight_decay)
        return torch.optim.Adam(self.parameters(), lr=lr, weight_decay=hp.weight_decay)

    def on_train_epoch_start(self) -> None:
        """The pass's learning rate (Section III.C) and, for SDLM, fresh h_kk (Appendix C)."""
        schedule = self.hparams.lr_schedule
        lr = schedule[min(self.current_epoch, len(schedule) - 1)]
        for group in self.optimizers().optimizer.param_groups:
            group["lr"] = lr
        self._hessian_pending = self.hparams.optimizer == "sdlm"
        if self._hessian_pending and (x := self._hessian_patterns()) is not None:
            self._set_hessian(x)
            self._hessian_pending = False

    def training_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> Tensor:
        x, labels = batch  # (B, 1, 32, 32), (B,)
        if getattr(self, "_hessian_pending", False):  # a datamodule without train_set: use this batch
            self._set_hessian(x)
            self._hessian_pending = False
        scores = self(x)  # (B, 10)
        losses = self.sample_losses(scores, labels)  # (B,)
        n = len(labels)
        self.log("train_loss", losses.mean(), prog_bar=True, batch_size=n)
        self.log("train_error", (scores.argmax(1) != labels).float().mean() * 100, batch_size=n)
        self.log("lr", self.optimizers().optimizer.param_groups[0]["lr"], batch_size=n)
        # SDLM: per-pattern steps (see the module docstring); others: the usual batch mean.
        return losses.sum() if self.hparams.optimizer == "sdlm" else losses.mean()

    # ----------------------------------------------------------------------------- evaluation

    def _evaluate(self, batch: tuple[Tensor, Tensor], prefix: str) -> None:
        x, labels = batch
        scores = self(x)
        n = len(labels)
        error = (scores.argmax(1) != labels).float().mean() * 100
        self.log(f"{prefix}_error", error, batch_size=n, sync_dist=True, add_dataloader_idx=False, prog_bar=prefix == "val")
        self.log(f"{prefix}_loss", self.sample_losses(scores, labels).mean(), batch_size=n, sync_dist=True, add_dataloader_idx=False)

    def validation_step(self, batch: tuple[Tensor, Tensor], batch_idx: int, dataloader_idx: int = 0) -> None:
        """Error (%) and loss: loader 0 is the validation set (the test set in the paper's
        configs, as the paper reports test error per pass), loader 1, if any, the training set."""
        self._evaluate(batch, "val" if dataloader_idx == 0 else "train_eval")

    def test_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        self._evaluate(batch, "test")

    def predict_step(self, batch: tuple[Tensor, ...], batch_idx: int) -> Tensor:
        return self(batch[0]).argmax(1)
