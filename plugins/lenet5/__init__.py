"""lenet5: LeCun, Bottou, Bengio & Haffner (1998), "Gradient-Based Learning Applied to Document Recognition"."""

from landmark import PaperCard, Plugin, Reported
from landmark.datamodules.mnist import MNIST
from landmark.plugins.lenet5.model import LeNet5

__all__ = ["plugin", "LeNet5", "LR_SCHEDULE"]

_MNIST = "configs/lenet5/mnist.yaml"

# Section III.C's schedule scaled by 1/50: the paper's eta = 0.0005 diverges here (docs/lenet5.md).
LR_SCHEDULE = (1e-5,) * 2 + (4e-6,) * 3 + (2e-6,) * 3 + (1e-6,) * 4 + (2e-7,)

card = PaperCard(
    title="Gradient-Based Learning Applied to Document Recognition",
    authors="Y. LeCun, L. Bottou, Y. Bengio, P. Haffner",
    year=1998,
    venue="Proceedings of the IEEE 86(11):2278-2324",
    url="https://doi.org/10.1109/5.726791",
    summary=(
        "LeNet-5: a 7-layer convolutional network on 32x32 inputs (C1 6@28x28, trainable "
        "subsampling S2, C3 16@10x10 with the partial connection table of Table I, S4, C5 120, "
        "F6 84, scaled tanh) with Euclidean RBF outputs on fixed ±1 codes and the MAP loss of "
        "Eq. 9; 60,000 free parameters, trained for 20 passes over MNIST's 60,000 digits by "
        "stochastic diagonal Levenberg-Marquardt."
    ),
    results=(
        Reported("mnist", "val_error", 0.95, _MNIST, where="Section III.C, Fig. 5 and Fig. 9",
                 note="test error % after 20 passes, no distortions (val_error is the test set in this config)"),
        Reported("mnist", "train_error", 0.35, _MNIST, where="Section III.C",
                 note="training error % after 19 passes, no distortions (logged as train_eval_error with data.eval_train)"),
        Reported("mnist_distortions", "val_error", 0.80, _MNIST, where="Section III.C, Fig. 9",
                 note="with 540,000 artificially distorted training patterns; distortions are not implemented here, "
                      "so this config (without them) does not reproduce it"),
    ),
)

plugin = Plugin(
    name="lenet5",
    model=LeNet5,
    datamodule=MNIST,
    card=card,
    config={
        "seed_everything": 1998,
        "threads": 1,  # this small net runs faster on one thread than on two shared cores
        "trainer": {"max_epochs": 20, "accelerator": "cpu", "devices": 1},
        "model": {"lr_schedule": LR_SCHEDULE},
        "data": {"batch_size": 16, "eval_batch_size": 2000, "val_size": 0, "normalize": "lenet5", "pad": 2},
    },
    monitor="val_error",
    mode="min",
)
