"""lenet1989: LeCun et al. (1989), "Backpropagation Applied to Handwritten Zip Code Recognition"."""

from landmark import PaperCard, Plugin, Reported
from landmark.datamodules.usps import USPS
from landmark.plugins.lenet1989.model import LeNet1989

__all__ = ["plugin", "LeNet1989"]

_REPRO = "karpathy/lecun1989-repro"

card = PaperCard(
    title="Backpropagation Applied to Handwritten Zip Code Recognition",
    authors="Y. LeCun, B. Boser, J. S. Denker, D. Henderson, R. E. Howard, W. Hubbard, L. D. Jackel",
    year=1989,
    venue="Neural Computation 1(4):541-551",
    url="https://doi.org/10.1162/neco.1989.1.4.541",
    summary=(
        "The first convolutional network trained end to end by backpropagation: two layers of "
        "5x5 stride-2 shared-weight feature maps (12 maps each, H2 maps reading 8 of 12 H1 maps), "
        "30 hidden units and 10 tanh outputs, 9,760 free parameters, trained for 23 passes of "
        "per-sample updates on 7,291 USPS zip-code digits."
    ),
    results=(
        Reported("usps", "val_error", 5.00, "configs/lenet1989/usps.yaml", where="Results", quick="--trainer.max_epochs 3", quick_note="3 of the paper's 23 passes", 
                 note="test error % after 23 passes (102 of 2,007); trained with diagonal Newton, not SGD"),
        Reported("usps", "train_error", 0.14, "configs/lenet1989/usps.yaml", where="Results", quick="--trainer.max_epochs 3", quick_note="3 of the paper's 23 passes", 
                 note="training error % after 23 passes (10 of 7,291)"),
        Reported("usps", "val_mse", 1.8e-2, "configs/lenet1989/usps.yaml", where="Results", quick="--trainer.max_epochs 3", quick_note="3 of the paper's 23 passes", 
                 note="test mean squared error after 23 passes"),
        Reported("usps", "train_mse", 2.5e-3, "configs/lenet1989/usps.yaml", where="Results", quick="--trainer.max_epochs 3", quick_note="3 of the paper's 23 passes", 
                 note="training mean squared error after 23 passes"),
        Reported("mnist16", "val_error", 4.09, "configs/lenet1989/mnist16.yaml", source=_REPRO, where="README", quick="--trainer.max_epochs 3", quick_note="3 of the paper's 23 passes", 
                 note="test error % after 23 passes on MNIST shrunk to 16x16 (82 of 2,007), plain tanh"),
        Reported("mnist16", "train_error", 0.62, "configs/lenet1989/mnist16.yaml", source=_REPRO, where="README", quick="--trainer.max_epochs 3", quick_note="3 of the paper's 23 passes", 
                 note="training error % after 23 passes (45 of 7,291), plain tanh"),
    ),
)

plugin = Plugin(
    name="lenet1989",
    model=LeNet1989,
    datamodule=USPS,
    card=card,
    config={
        "seed_everything": 1337,
        "threads": 1,  # per-sample ops of this tiny net are too small to split across threads
        "trainer": {"max_epochs": 23, "accelerator": "cpu", "devices": 1, "log_every_n_steps": 1},
        "model": {},
        "data": {},
    },
    monitor="val_error",
    mode="min",
)
