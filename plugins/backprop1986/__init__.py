"""backprop1986: Rumelhart, Hinton & Williams (1986), back-propagation in layered nets of logistic units.

The default run is the symmetry net of Fig. 1 with the paper's settings; the other tasks are
configs under ``configs/backprop1986/``. See ``docs/backprop1986.md``.
"""

from landmark import PaperCard, Plugin, Reported
from landmark.datamodules.backprop_tasks import BackpropTasks
from landmark.plugins.backprop1986.model import LayeredNet

__all__ = ["plugin", "LayeredNet", "BackpropTasks"]

_CONFIGS = "configs/backprop1986"

card = PaperCard(
    title="Learning representations by back-propagating errors",
    authors="David E. Rumelhart, Geoffrey E. Hinton, Ronald J. Williams",
    year=1986,
    venue="Nature 323, 533-536",
    url="https://doi.org/10.1038/323533a0",
    summary=(
        "Gradient descent on the summed squared error of a layered net of logistic units, with the "
        "gradient propagated backwards layer by layer and an acceleration (momentum) term. Hidden units "
        "learn features nobody put in: a 6-2-1 net finds a mirror-symmetry detector with weights in ratio "
        "1:2:4, and a five-layer net learns nationality, generation and branch from two family trees. "
        "XOR and the 8-3-8 encoder are from the longer PDP chapter, 'Learning internal representations "
        "by error propagation' (PDP vol. 1, ch. 8)."
    ),
    results=(
        Reported(
            "symmetry, 6-2-1",
            "sweeps_to_solve",
            1425,
            config=f"{_CONFIGS}/symmetry.yaml",
            where="Fig. 1 caption",
            note="'The learning required 1,425 sweeps' (one run); eps 0.1, alpha 0.9, weights U[-0.3, 0.3]",
        ),
        Reported(
            "symmetry, 6-2-1",
            "val_error",
            0.0,
            config=f"{_CONFIGS}/symmetry.yaml",
            where="Fig. 1",
            note="all 64 patterns right; mirror weights equal and opposite, in ratio 1:2:4",
        ),
        Reported(
            "family trees, 4 held-out triples",
            "val_error",
            0.0,
            config=f"{_CONFIGS}/family_trees.yaml",
            where="Fig. 4 caption",
            note="trained on 100 of 104 triples, 'generalizes correctly to the four triples on which it was "
            "not trained'; the config departs from the caption's eps and initial weights (see docs)",
        ),
        Reported(
            "XOR, one hidden unit with direct input-output connections",
            "sweeps_to_solve",
            558,
            config=f"{_CONFIGS}/xor.yaml",
            where="PDP vol. 1 ch. 8, p. 331",
            note="eta 0.5; the PDP chapter's stopping rule is not the one logged here (see docs)",
        ),
        Reported(
            "8-3-8 encoder",
            "val_error",
            0.0,
            config=f"{_CONFIGS}/encoder.yaml",
            where="PDP vol. 1 ch. 8, pp. 335-337",
            note="all 8 patterns reproduced through a 3-unit (near-binary) code",
        ),
    ),
)

plugin = Plugin(
    name="backprop1986",
    model=LayeredNet,
    datamodule=BackpropTasks,
    card=card,
    config={
        "seed_everything": 0,
        # A few hundred weights: intra-op threads only add latency (a sweep took ~25 ms with
        # 2 threads and ~3 ms with 1 on a busy 2-core machine).
        "threads": 1,
        "trainer": {"max_epochs": 1425, "accelerator": "cpu", "log_every_n_steps": 1},
        "model": {"layers": "6-2-1", "lr": 0.1, "momentum": 0.9, "init_range": 0.3},
        "data": {"task": "symmetry"},
    },
    monitor="val_loss",
    mode="min",
)
