"""ADALINE (Widrow & Hoff 1960) as a third-party landmark plugin.

B. Widrow and M. E. Hoff, "Adaptive switching circuits", IRE WESCON Convention Record,
part 4, pp. 96-104, 1960. One linear unit whose weights follow the LMS (delta) rule on the
error of its *linear* output, w <- w + 2 mu e x, and whose decision is the sign of that output.
"""

from __future__ import annotations

import lightning.pytorch as L
import torch

from landmark import PaperCard, Plugin, Reported
from landmark.data import TensorBatches


class Adaline(L.LightningModule):
    """One adaptive linear neuron trained by the LMS rule.

    Args:
        inputs: number of input lines (the 1960 machine had 16, a 4x4 switch board).
        mu: the LMS step size; the update is w += 2 * mu * e * x (Widrow & Hoff, eq. for
            the "adaptive" weights), i.e. plain SGD on the squared error with lr = mu.
    """

    def __init__(self, inputs: int = 16, mu: float = 0.01) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.linear = torch.nn.Linear(inputs, 1)
        torch.nn.init.zeros_(self.linear.weight)
        torch.nn.init.zeros_(self.linear.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, inputs) -> (B,)
        return self.linear(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, d = batch
        opt = self.optimizers()
        for i in range(len(x)):  # the rule adapts after every pattern
            e = d[i] - self(x[i : i + 1])
            loss = (e**2).sum()
            opt.zero_grad()
            self.manual_backward(loss)
            opt.step()
        self.log("train_loss", ((d - self(x)) ** 2).mean())

    def validation_step(self, batch, batch_idx):
        x, d = batch
        y = self(x)
        self.log("val_loss", ((d - y) ** 2).mean())
        self.log("val_error", (torch.sign(y) != d).float().mean(), prog_bar=True)

    def test_step(self, batch, batch_idx):
        x, d = batch
        self.log("test_error", (torch.sign(self(x)) != d).float().mean())

    def configure_optimizers(self):
        # w <- w + 2 mu e x is SGD on e^2 (whose gradient is -2 e x) with lr = mu.
        return torch.optim.SGD(self.parameters(), lr=self.hparams.mu)


class NoisyPatterns(L.LightningDataModule):
    """Two classes of +-1 patterns on a 4x4 board: noisy copies of two prototypes, the task
    Widrow & Hoff used to show the adaptive unit generalising. Generated, seeded."""

    def __init__(self, samples: int = 200, flip: float = 0.1, batch_size: int = 20, seed: int = 0) -> None:
        super().__init__()
        self.save_hyperparameters()

    def setup(self, stage: str | None = None) -> None:
        g = torch.Generator().manual_seed(self.hparams.seed)
        protos = torch.where(torch.rand(2, 16, generator=g) < 0.5, -1.0, 1.0)
        n = self.hparams.samples
        label = torch.randint(0, 2, (2 * n,), generator=g)
        flips = torch.where(torch.rand(2 * n, 16, generator=g) < self.hparams.flip, -1.0, 1.0)
        x = protos[label] * flips
        d = label.float() * 2 - 1
        self.train_set, self.val_set = (x[:n], d[:n]), (x[n:], d[n:])

    def _batches(self, data, shuffle: bool) -> TensorBatches:
        t = self.trainer
        rank, world = (t.global_rank, t.world_size) if t is not None else (0, 1)
        return TensorBatches(data, self.hparams.batch_size, shuffle, self.hparams.seed, rank=rank, world_size=world)

    def train_dataloader(self):
        return self._batches(self.train_set, shuffle=True)

    def val_dataloader(self):
        return self._batches(self.val_set, shuffle=False)

    test_dataloader = val_dataloader


plugin = Plugin(
    name="adaline1960",
    model=Adaline,
    datamodule=NoisyPatterns,
    card=PaperCard(
        title="Adaptive switching circuits",
        authors="Widrow & Hoff",
        year=1960,
        venue="IRE WESCON Convention Record",
        results=(
            Reported("patterns", "val_error", 0.0, config="default", note="prototypes separable: no errors"),
        ),
    ),
    config={"trainer": {"max_epochs": 5, "accelerator": "cpu"}},
    monitor="val_error",
    mode="min",
)
