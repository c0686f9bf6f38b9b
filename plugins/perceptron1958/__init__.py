"""perceptron1958: Rosenblatt (1958), threshold units learning by error correction, no gradient.

The default run is scikit-learn's 8x8 digits; MNIST, a separable set (the convergence theorem)
and XOR (the failure) are configs under ``configs/perceptron1958/``. See ``docs/perceptron1958.md``.
"""

from landmark import PaperCard, Plugin, Reported
from landmark.datamodules.digits import Digits
from landmark.plugins.perceptron1958.model import Perceptron

__all__ = ["plugin", "Perceptron"]

_CONFIGS = "configs/perceptron1958"

card = PaperCard(
    title="The perceptron: a probabilistic model for information storage and organization in the brain",
    authors="Frank Rosenblatt",
    year=1958,
    venue="Psychological Review 65(6):386-408",
    url="https://doi.org/10.1037/h0042519",
    summary=(
        "Threshold response units whose connection weights change only when a unit answers wrongly: "
        "w <- w + eta (t - r) x. The deterministic error-correction rule is stated in Rosenblatt's "
        "Principles of Neurodynamics (1962); Novikoff (1962) proved that on data separable with margin "
        "gamma it makes at most (R/gamma)^2 corrections. A single layer cannot represent XOR "
        "(Minsky & Papert 1969). Multi-class: one unit per class, corrected one-vs-rest, read out "
        "winner-take-all."
    ),
    results=(
        Reported(
            "digits (scikit-learn 8x8), training accuracy",
            "val_accuracy",
            0.939,
            config=f"{_CONFIGS}/digits.yaml",
            source="scikit-learn",
            where="sklearn.linear_model.Perceptron docstring, Examples",
            note="Perceptron(tol=1e-3, random_state=0) stops after 22 epochs; the digits config validates on the training set, so val_accuracy is a training accuracy",
        ),
        Reported(
            "MNIST, linear classifier, test error",
            "val_error",
            0.12,
            config=f"{_CONFIGS}/mnist.yaml",
            source="LeCun et al. 1998",
            where="Proc. IEEE 86(11), Section III-C.1 and Fig. 9 ('linear classifier')",
            note="12.0% test error of a linear classifier trained by gradient descent on MSE, not by the "
            "perceptron rule: a reference for one layer of weights on raw pixels",
        ),
        Reported(
            "separable set, Novikoff bound",
            "val_error",
            0.0,
            config=f"{_CONFIGS}/separable.yaml",
            where="Novikoff 1962",
            note="every training pattern right after at most (R/gamma)^2 corrections (logged: corrections_to_solve)",
        ),
        Reported(
            "XOR",
            "val_error",
            0.25,
            config=f"{_CONFIGS}/xor.yaml",
            where="Minsky & Papert 1969",
            note="no line separates XOR: at least one of the four patterns stays wrong, whatever the epochs",
        ),
    ),
)

plugin = Plugin(
    name="perceptron1958",
    model=Perceptron,
    datamodule=Digits,
    card=card,
    config={
        "seed_everything": 0,
        "threads": 1,  # a 64 x 10 weight matrix: threads only add latency
        "trainer": {"max_epochs": 22, "accelerator": "cpu", "devices": 1, "log_every_n_steps": 1},
        "model": {"inputs": 64, "num_classes": 10, "eta": 1.0},
        "data": {},
    },
    monitor="val_error",
    mode="min",
)
