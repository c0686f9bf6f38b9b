"""Sinusoid regression tasks of Finn, Abbeel & Levine (2017), MAML, generated from a seed.

C. Finn, P. Abbeel, S. Levine, "Model-agnostic meta-learning for fast adaptation of deep
networks", ICML 2017, Section 5.1: each task regresses y = A sin(x - b) (the sign convention of
the authors' code) with amplitude A uniform on [0.1, 5.0] and phase b uniform on [0, pi]; inputs
x are drawn uniformly from [-5.0, 5.0], for training and testing alike. A task gives K support
points (the inner-loop update; the paper: K = 5, 10 or 20; 10 in training) and query points for
the meta-loss (the authors' code draws as many query as support points). A training step takes a
meta-batch of tasks (the authors' code: 25).

The task distribution has no end, so every epoch trains on ``tasks_per_epoch`` tasks drawn afresh
from (seed, epoch): a run is reproducible and resumes exactly. With the defaults an epoch is
1,000 meta-batches of 25 tasks. Evaluation uses
``n_eval_tasks`` tasks fixed by the seed (600, as many as the authors' code tests on).

A batch is ``(x_support, y_support, x_query, y_query, amplitude, phase)``: ``(B, K, 1)``,
``(B, K, 1)``, ``(B, Q, 1)``, ``(B, Q, 1)``, ``(B,)``, ``(B,)``, float32, B tasks. Under DDP each
rank takes its share of the tasks, so a step's meta-batch spans ranks.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from landmark.datamodules.long_term import GeneratedTasks
from landmark.datasets import Dataset

__all__ = ["SinusoidTasks", "sinusoid_tasks", "DATASETS"]

DATASETS = [
    Dataset(
        name="sinusoid",
        generated=True,
        title="Sinusoid regression tasks y = A sin(x - b), A in [0.1, 5], b in [0, pi], x in [-5, 5] (MAML)",
        citation=(
            "C. Finn, P. Abbeel, S. Levine. Model-agnostic meta-learning for fast adaptation of deep networks. "
            "ICML 2017."
        ),
        size="generated: 25,000 tasks per epoch + 600 evaluation tasks, 10 support + 10 query points each",
    )
]


def sinusoid_tasks(
    n: int,
    k_shot: int,
    k_query: int,
    generator: torch.Generator,
    amplitude: tuple[float, float] = (0.1, 5.0),
    phase: tuple[float, float] = (0.0, math.pi),
    x_range: tuple[float, float] = (-5.0, 5.0),
) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]:
    """``n`` tasks: x_support, y_support (n, k_shot, 1), x_query, y_query (n, k_query, 1), A, b (n,)."""
    g = generator
    a = amplitude[0] + (amplitude[1] - amplitude[0]) * torch.rand(n, generator=g)
    b = phase[0] + (phase[1] - phase[0]) * torch.rand(n, generator=g)
    x = x_range[0] + (x_range[1] - x_range[0]) * torch.rand(n, k_shot + k_query, 1, generator=g)
    y = a[:, None, None] * torch.sin(x - b[:, None, None])
    return x[:, :k_shot], y[:, :k_shot], x[:, k_shot:], y[:, k_shot:], a, b


class SinusoidTasks(GeneratedTasks):
    """MAML's sinusoid tasks: meta-batches of K-shot regression problems.

    Args:
        k_shot: K, support points per task (the inner-loop update).
        k_query: query points per task (the meta-loss).
        meta_batch_size: tasks per training step.
        tasks_per_epoch: tasks drawn afresh for each epoch; a multiple of ``meta_batch_size``
            keeps every step's meta-batch full.
        n_eval_tasks: evaluation tasks, fixed by ``seed``.
        eval_batch_size: tasks per validation/test batch.
        amplitude_min: lower end of the amplitude range.
        amplitude_max: upper end of the amplitude range.
        phase_min: lower end of the phase range.
        phase_max: upper end of the phase range (pi).
        x_min: lower end of the input range.
        x_max: upper end of the input range.
        seed: the seed of every task; the same seed gives bit-identical tasks.
    """

    def __init__(
        self,
        k_shot: int = 10,
        k_query: int = 10,
        meta_batch_size: int = 25,
        tasks_per_epoch: int = 25000,
        n_eval_tasks: int = 600,
        eval_batch_size: int = 600,
        amplitude_min: float = 0.1,
        amplitude_max: float = 5.0,
        phase_min: float = 0.0,
        phase_max: float = math.pi,
        x_min: float = -5.0,
        x_max: float = 5.0,
        seed: int = 0,
    ) -> None:
        super().__init__(
            n_train=tasks_per_epoch, n_val=n_eval_tasks, batch_size=meta_batch_size,
            eval_batch_size=eval_batch_size, seed=seed, fresh_each_epoch=True, drop_last=True,
        )
        if k_shot < 1 or k_query < 1:
            raise ValueError(f"k_shot={k_shot}, k_query={k_query}: both must be >= 1")
        ranges = {"amplitude": (amplitude_min, amplitude_max), "phase": (phase_min, phase_max), "x": (x_min, x_max)}
        for name, (lo, hi) in ranges.items():
            if not lo <= hi:
                raise ValueError(f"{name}_min={lo} > {name}_max={hi}")
        if tasks_per_epoch < meta_batch_size:
            raise ValueError(
                f"tasks_per_epoch={tasks_per_epoch} < meta_batch_size={meta_batch_size}: an epoch would have no step"
            )
        self.save_hyperparameters()

    def make(self, n: int, generator: torch.Generator) -> tuple[Tensor, ...]:
        h = self.hparams
        return sinusoid_tasks(
            n, h.k_shot, h.k_query, generator,
            (h.amplitude_min, h.amplitude_max), (h.phase_min, h.phase_max), (h.x_min, h.x_max),
        )
