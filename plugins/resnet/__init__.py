"""resnet: He, Zhang, Ren & Sun (2015), "Deep Residual Learning for Image Recognition".

The default run is ResNet-20 on a 10k-image subset of Fashion-MNIST, one half of the
degradation experiment that runs on a CPU; the paper's CIFAR-10 schedule is in
``configs/resnet/cifar10_*.yaml`` (needs the CIFAR-10 files and, in practice, a GPU). See
``docs/resnet.md``.
"""

from landmark import PaperCard, Plugin, Reported
from landmark.datamodules.mnist import FashionMNIST
from landmark.plugins.resnet.model import ResNet

__all__ = ["plugin", "ResNet"]

_CONFIGS = "configs/resnet"
_AKAMASTER = "akamaster/pytorch_resnet_cifar10"

card = PaperCard(
    title="Deep Residual Learning for Image Recognition",
    authors="Kaiming He, Xiangyu Zhang, Shaoqing Ren, Jian Sun",
    year=2015,
    venue="CVPR 2016 (arXiv:1512.03385, Dec. 2015)",
    url="https://arxiv.org/abs/1512.03385",
    summary=(
        "Stacks of layers learn a residual F(x) added to an identity shortcut, y = F(x) + x. Deeper "
        "plain nets train worse than shallower ones (degradation); residual nets of the same depth "
        "and parameters do not, and keep improving with depth: 3.57% top-5 on ImageNet with an "
        "ensemble (ILSVRC 2015 winner), 6.43% CIFAR-10 test error with ResNet-110."
    ),
    results=(
        Reported("cifar10, ResNet-20", "val_error", 8.75, f"{_CONFIGS}/cifar10_resnet20.yaml", where="Table 6",
                 note="test error %, 0.27M parameters; 64k iterations, validation = the test set (val_size 0)"),
        Reported("cifar10, ResNet-56", "val_error", 6.97, f"{_CONFIGS}/cifar10_resnet56.yaml", where="Table 6",
                 note="test error %, 0.85M parameters"),
        Reported("cifar10, ResNet-20", "val_error", 8.27, f"{_CONFIGS}/cifar10_resnet20_akamaster.yaml",
                 source=_AKAMASTER, where="README table",
                 note="test error %, 200 epochs, lr /10 at epochs 100 and 150; the best epoch's test error"),
        Reported("cifar10, ResNet-56", "val_error", 6.61, f"{_CONFIGS}/cifar10_resnet56_akamaster.yaml",
                 source=_AKAMASTER, where="README table", note="test error %, as ResNet-20's row"),
    ),
)

plugin = Plugin(
    name="resnet",
    model=ResNet,
    datamodule=FashionMNIST,
    card=card,
    config={
        "seed_everything": 0,
        "trainer": {"max_epochs": 3, "accelerator": "auto", "devices": 1},
        "model": {"depth": 20, "in_channels": 1, "milestones": [2], "schedule_unit": "epoch"},
        "data": {"batch_size": 128, "val_size": 0, "train_size": 10000},
    },
    monitor="val_error",
    mode="min",
)
