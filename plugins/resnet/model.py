"""ResNet (2015): deep residual learning, and the plain nets it was measured against.

K. He, X. Zhang, S. Ren, J. Sun, "Deep Residual Learning for Image Recognition", CVPR 2016
(arXiv:1512.03385, 2015). https://doi.org/10.1109/CVPR.2016.90

A stack of layers fits a residual F(x) = H(x) - x and the block outputs F(x) + x (§3.1, Eq. 1):
if an identity mapping were optimal, it is easier to push F to zero than to fit an identity
with a stack of nonlinear layers. Without the shortcut the same stack is the "plain" net of the
same depth (§3.3), and the paper's first finding is the *degradation* of plain nets: deeper
plain nets have higher *training* error (Fig. 1, Fig. 4 left, Fig. 6 left), while deeper
residual nets have lower (Fig. 4 right, Fig. 6 middle).

Two families, one class (``ResNet``):

CIFAR family (§4.2, ``family="cifar"``), 6n+2 weighted layers on 32x32 inputs::

    conv 3x3, 16                                  (B, 16, 32, 32)
    n basic blocks of two 3x3 convs, 16 filters   (B, 16, 32, 32)   2n layers
    n basic blocks, 32 filters, first stride 2    (B, 32, 16, 16)   2n layers
    n basic blocks, 64 filters, first stride 2    (B, 64,  8,  8)   2n layers
    global average pool, 10-way fc, softmax       (B, 10)           1 layer

n = 3, 5, 7, 9, 18 give ResNet-20/32/44/56/110 (0.27M, 0.46M, 0.66M, 0.85M, 1.7M parameters,
Table 6). "When shortcut connections are used, they are connected to the pairs of 3x3 layers
... identity shortcuts in all cases (i.e. option A)", so residual and plain nets have exactly
the same parameters.

ImageNet family (§3.4, Table 1, ``family="imagenet"``) on 224x224 inputs::

    conv1   7x7, 64, stride 2; 3x3 max pool, stride 2   (B,   64, 56, 56)
    conv2_x blocks at 64 filters                        (B,  64e, 56, 56)
    conv3_x blocks at 128 filters, first stride 2       (B, 128e, 28, 28)
    conv4_x blocks at 256 filters, first stride 2       (B, 256e, 14, 14)
    conv5_x blocks at 512 filters, first stride 2       (B, 512e,  7,  7)
    global average pool, 1000-way fc, softmax           (B, 1000)

ResNet-18/34 stack basic blocks (e = 1: [2, 2, 2, 2] and [3, 4, 6, 3] blocks); ResNet-50/101/152
stack bottleneck blocks 1x1 -> 3x3 -> 1x1 whose last 1x1 expands by e = 4 (§4.1 "Deeper
Bottleneck Architectures"; [3, 4, 6, 3], [3, 4, 23, 3], [3, 8, 36, 3]). 1.8, 3.6, 3.8, 7.6 and
11.3 billion multiply-adds (Table 1's "FLOPs").

Shortcuts where the dimensions grow (§3.3 and Table 3's options):

- ``A``: identity, the extra channels zero-padded, the map subsampled by taking every other
  pixel (stride 2): no parameters. The CIFAR default.
- ``B``: projection (1x1 conv, stride 2, and BN) where the dimensions change, identity
  elsewhere. The ImageNet default (ResNet-50/101/152 are described with B).
- ``C``: projection on every shortcut.

Everything else as §3.4: batch normalisation right after each convolution and before the
activation, ReLU after the addition, no dropout, weights initialised as He et al. 2015
("Delving deep into rectifiers": normal with std sqrt(2 / fan_in)), BN scale 1 and shift 0.

Training (§3.4 ImageNet, §4.2 CIFAR): SGD, mini-batch 128 (CIFAR) or 256 (ImageNet), momentum
0.9, weight decay 1e-4; CIFAR: learning rate 0.1, divided by 10 at 32k and 48k iterations,
stopped at 64k (``milestones`` in steps; the stop is the config's ``trainer.max_steps``), with
4-pixel padding / random 32x32 crops / horizontal flips (``landmark.datamodules.cifar10``). For
ResNet-110: "we use 0.01 to warm up the training until the training error is below 80% (about
400 iterations), and then go back to 0.1" (``warmup_lr``, ``warmup_error``). ImageNet: 0.1
divided by 10 "when the error plateaus", 60e4 iterations; the configs here are CIFAR's.

Deviations from the paper:

- Bottleneck stride: the first 1x1 conv of a downsampling bottleneck has stride 2, as the
  released Caffe models (and the 3.8 GFLOPs of ResNet-50 in Table 1). torchvision moves it to
  the 3x3 ("ResNet v1.5": same parameters, 4.1 GFLOPs).
- Option A on the ImageNet family pads channels the same way as on CIFAR; the paper tested A
  only on ResNet-34 (Table 3).
- Init of the final fc: He normal too, as akamaster/pytorch_resnet_cifar10; the paper says
  only that it initialises "the weights as in [13]". Biases of the fc start as PyTorch's.
- Warm-up: the switch back to ``lr`` happens after the first training batch (averaged over
  processes) whose error is below ``warmup_error``; the paper does not say how the training
  error was measured. akamaster uses 0.01 for the whole first epoch instead.
- Input normalisation and 28x28 Fashion-MNIST (1 channel, feature maps 28 -> 14 -> 7) are the
  data module's and the configs' business, not the model's.
"""

from __future__ import annotations

from typing import Literal

import lightning.pytorch as L
import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["ResNet", "BasicBlock", "Bottleneck", "ZeroPadShortcut", "Projection", "IMAGENET_DEPTHS", "cifar_depths"]

# Table 1: block type and the number of blocks in conv2_x .. conv5_x.
IMAGENET_DEPTHS: dict[int, tuple[str, tuple[int, int, int, int]]] = {
    18: ("basic", (2, 2, 2, 2)),
    34: ("basic", (3, 4, 6, 3)),
    50: ("bottleneck", (3, 4, 6, 3)),
    101: ("bottleneck", (3, 4, 23, 3)),
    152: ("bottleneck", (3, 8, 36, 3)),
}


def cifar_depths(up_to: int = 1202) -> list[int]:
    """The CIFAR family's depths 6n+2 (20, 32, 44, 56, 110 and 1202 in Tables 6-7)."""
    return [6 * n + 2 for n in range(1, (up_to - 2) // 6 + 1)]


def conv3x3(c_in: int, c_out: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)  # BN follows: no bias


def conv1x1(c_in: int, c_out: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False)


# --------------------------------------------------------------------------- shortcuts (§3.3)


class ZeroPadShortcut(nn.Module):
    """Option A: identity on the first channels, zeros for the new ones, every ``stride``-th
    pixel. Parameter-free, so a residual net has exactly its plain twin's parameters."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        assert c_out >= c_in, "option A can only add channels"
        self.extra, self.stride = c_out - c_in, stride

    def forward(self, x: Tensor) -> Tensor:  # (B, C_in, H, W) -> (B, C_out, H/s, W/s)
        if self.stride > 1:
            x = x[:, :, :: self.stride, :: self.stride]
        return F.pad(x, (0, 0, 0, 0, 0, self.extra)) if self.extra else x


class Projection(nn.Sequential):
    """Options B and C: W_s x of Eq. 2 as a 1x1 convolution (with ``stride``) and BN."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__(conv1x1(c_in, c_out, stride), nn.BatchNorm2d(c_out))


def make_shortcut(c_in: int, c_out: int, stride: int, option: str) -> nn.Module:
    same = c_in == c_out and stride == 1
    if option == "C" or (option == "B" and not same):
        return Projection(c_in, c_out, stride)
    if same:
        return nn.Identity()
    return ZeroPadShortcut(c_in, c_out, stride)


# --------------------------------------------------------------------------- blocks (Fig. 2, Fig. 5)


class BasicBlock(nn.Module):
    """Two 3x3 convolutions (Fig. 2 / Fig. 5 left): y = ReLU(F(x) + shortcut(x)), where
    F = BN(conv(ReLU(BN(conv(x))))). ``shortcut=None`` is the plain counterpart: y = ReLU(F(x))."""

    expansion = 1

    def __init__(self, c_in: int, planes: int, stride: int, shortcut: str | None) -> None:
        super().__init__()
        c_out = planes * self.expansion
        self.conv1, self.bn1 = conv3x3(c_in, planes, stride), nn.BatchNorm2d(planes)
        self.conv2, self.bn2 = conv3x3(planes, c_out), nn.BatchNorm2d(c_out)
        self.shortcut = make_shortcut(c_in, c_out, stride, shortcut) if shortcut else None

    def forward(self, x: Tensor) -> Tensor:  # (B, C_in, H, W) -> (B, C_out, H/s, W/s)
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.shortcut is not None:
            out = out + self.shortcut(x)  # Eq. 1 (Eq. 2 when it projects)
        return F.relu(out)


class Bottleneck(nn.Module):
    """1x1 (reduce) -> 3x3 -> 1x1 (restore, x4) (Fig. 5 right), for ResNet-50/101/152. The first
    1x1 carries the stride (the released Caffe models; see the module docstring)."""

    expansion = 4

    def __init__(self, c_in: int, planes: int, stride: int, shortcut: str | None) -> None:
        super().__init__()
        c_out = planes * self.expansion
        self.conv1, self.bn1 = conv1x1(c_in, planes, stride), nn.BatchNorm2d(planes)
        self.conv2, self.bn2 = conv3x3(planes, planes), nn.BatchNorm2d(planes)
        self.conv3, self.bn3 = conv1x1(planes, c_out), nn.BatchNorm2d(c_out)
        self.shortcut = make_shortcut(c_in, c_out, stride, shortcut) if shortcut else None

    def forward(self, x: Tensor) -> Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.shortcut is not None:
            out = out + self.shortcut(x)
        return F.relu(out)


# --------------------------------------------------------------------------- the network


class ResNet(L.LightningModule):
    """He et al. (2015) residual networks and their plain counterparts, CIFAR and ImageNet families.

    Args:
        depth: weighted layers: 6n+2 for the CIFAR family (20, 32, 44, 56, 110, 1202), one of
            18, 34, 50, 101, 152 for the ImageNet family.
        family: ``cifar`` (§4.2: 3x3 stem, stages of 16/32/64 filters, for 32x32 images) or
            ``imagenet`` (§3.4, Table 1: 7x7 stem and max pool, stages of 64..512 filters).
        residual: add the shortcuts (a ResNet); false gives the plain net of the same depth.
        shortcut: where dimensions grow, ``A`` zero-pads an identity (no parameters), ``B``
            projects with a 1x1 conv, ``C`` projects every shortcut (Table 3); ``auto`` is the
            paper's choice per family: A for CIFAR, B for ImageNet.
        in_channels: image channels (3 for CIFAR-10 and ImageNet, 1 for Fashion-MNIST).
        num_classes: outputs of the final fc layer (10 for CIFAR-10, 1000 for ImageNet).
        width: filters of the first stage (the others double it each stage); 0 is the paper's
            16 (CIFAR) or 64 (ImageNet).
        lr: initial SGD learning rate (0.1).
        momentum: SGD momentum (0.9).
        weight_decay: L2 weight decay on every parameter (1e-4).
        milestones: the learning rate is multiplied by ``gamma`` at each of these steps or epochs
            (CIFAR: 32k and 48k iterations; training stops at the trainer's ``max_steps``, 64k).
        gamma: the factor at each milestone (1/10).
        schedule_unit: whether ``milestones`` count optimizer steps (the paper) or epochs
            (akamaster's 100 and 150 of 200 epochs).
        warmup_lr: if > 0, train at this learning rate until a training batch's error falls
            below ``warmup_error``, then switch to ``lr`` (§4.2 for ResNet-110: 0.01). 0 disables.
        warmup_error: the training error (%) that ends the warm-up (80).
    """

    def __init__(
        self,
        depth: int = 20,
        family: Literal["cifar", "imagenet"] = "cifar",
        residual: bool = True,
        shortcut: Literal["auto", "A", "B", "C"] = "auto",
        in_channels: int = 3,
        num_classes: int = 10,
        width: int = 0,
        lr: float = 0.1,
        momentum: float = 0.9,
        weight_decay: float = 1e-4,
        milestones: tuple[int, ...] = (32000, 48000),
        gamma: float = 0.1,
        schedule_unit: Literal["step", "epoch"] = "step",
        warmup_lr: float = 0.0,
        warmup_error: float = 80.0,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        if family == "cifar":
            if depth < 8 or (depth - 2) % 6:
                raise ValueError(f"depth={depth}: the CIFAR family has 6n+2 layers (20, 32, 44, 56, 110, ...)")
            block, blocks = BasicBlock, ((depth - 2) // 6,) * 3
            width = width or 16
            # §4.2: "The first layer is 3x3 convolutions", no pooling before the stages.
            self.stem = nn.Sequential(conv3x3(in_channels, width), nn.BatchNorm2d(width), nn.ReLU(inplace=True))
        elif family == "imagenet":
            if depth not in IMAGENET_DEPTHS:
                raise ValueError(f"depth={depth}: the ImageNet family has depths {sorted(IMAGENET_DEPTHS)}")
            kind, blocks = IMAGENET_DEPTHS[depth]
            block = BasicBlock if kind == "basic" else Bottleneck
            width = width or 64
            self.stem = nn.Sequential(  # conv1 and the max pool of conv2_x (Table 1)
                nn.Conv2d(in_channels, width, 7, stride=2, padding=3, bias=False),
                nn.BatchNorm2d(width),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(3, stride=2, padding=1),
            )
        else:
            raise ValueError(f"family={family!r}: expected 'cifar' or 'imagenet'")
        option = ("A" if family == "cifar" else "B") if shortcut == "auto" else shortcut
        self.shortcut_option = option if residual else None

        stages, c_in = [], width
        for i, n in enumerate(blocks):
            planes = width * 2**i
            layers = []
            for j in range(n):
                stride = 2 if i > 0 and j == 0 else 1  # downsampling by the first conv of a stage
                layers.append(block(c_in, planes, stride, self.shortcut_option))
                c_in = planes * block.expansion
            stages.append(nn.Sequential(*layers))
        self.stages = nn.Sequential(*stages)
        self.fc = nn.Linear(c_in, num_classes)
        self._init_weights()
        self._warming = warmup_lr > 0  # saved in checkpoints (on_save_checkpoint)

    def _init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")  # [13]: std sqrt(2/n)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x: Tensor) -> Tensor:  # (B, C, H, W) -> (B, num_classes) logits
        x = self.stem(x)  # CIFAR (B, 16, 32, 32); ImageNet (B, 64, 56, 56)
        x = self.stages(x)  # CIFAR (B, 64, 8, 8); ImageNet (B, 512e, 7, 7)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))  # global average pool, fc

    # ----------------------------------------------------------------------------- counting

    def weighted_layers(self) -> int:
        """The paper's depth: convolutions and fc layers on the main path (projections excluded)."""
        shortcut_convs = sum(1 for m in self.modules() if isinstance(m, Projection))
        convs = sum(1 for m in self.modules() if isinstance(m, nn.Conv2d))
        return convs - shortcut_convs + 1  # + the fc

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    # ----------------------------------------------------------------------------- training

    def _step(self, batch: tuple[Tensor, Tensor]) -> tuple[Tensor, Tensor]:
        x, labels = batch
        logits = self(x)
        loss = F.cross_entropy(logits.float(), labels)
        error = (logits.argmax(1) != labels).float().mean() * 100
        return loss, error

    def training_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> Tensor:
        loss, error = self._step(batch)
        n = len(batch[1])
        self.log("train_loss", loss, batch_size=n, prog_bar=True)
        # Training error during training (augmented batches, BN in training mode), as the thin
        # curves of Figs. 4 and 6; averaged over the epoch.
        self.log("train_error", error, batch_size=n, on_step=False, on_epoch=True, sync_dist=True)
        if self._warming:
            err = self.trainer.strategy.reduce(error.detach(), reduce_op="mean")
            if float(err) < self.hparams.warmup_error:
                self._warming = False  # the scheduler's next step goes back to lr
        return loss

    def _evaluate(self, batch: tuple[Tensor, Tensor], prefix: str) -> None:
        loss, error = self._step(batch)
        n = len(batch[1])
        self.log(f"{prefix}_loss", loss, batch_size=n, sync_dist=True, add_dataloader_idx=False)
        self.log(f"{prefix}_error", error, batch_size=n, sync_dist=True, add_dataloader_idx=False, prog_bar=True)

    def validation_step(self, batch: tuple[Tensor, Tensor], batch_idx: int, dataloader_idx: int = 0) -> None:
        """Loader 0: the validation split (the test set with ``val_size: 0``); loader 1, if the
        data module serves one (``eval_train``), the training set in evaluation mode."""
        self._evaluate(batch, "val" if dataloader_idx == 0 else "train_eval")

    def test_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        self._evaluate(batch, "test")

    def predict_step(self, batch: tuple[Tensor, ...], batch_idx: int) -> Tensor:
        return self(batch[0]).argmax(1)

    def lr_factor(self, count: int) -> float:
        """The learning rate over ``lr`` after ``count`` steps or epochs: the warm-up, then
        ``gamma`` per milestone passed."""
        hp = self.hparams
        if self._warming:
            return hp.warmup_lr / hp.lr
        return hp.gamma ** sum(count >= m for m in hp.milestones)

    def configure_optimizers(self):
        hp = self.hparams
        opt = torch.optim.SGD(self.parameters(), lr=hp.lr, momentum=hp.momentum, weight_decay=hp.weight_decay)

        def factor(count: int) -> float:  # a plain function: LambdaLR leaves it out of its state
            return self.lr_factor(count)

        sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": hp.schedule_unit}}

    def on_save_checkpoint(self, checkpoint: dict) -> None:
        checkpoint["resnet_warming"] = self._warming

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        self._warming = bool(checkpoint.get("resnet_warming", self._warming))
