"""resnet: the paper's depths, parameter counts (Table 6, Table 1), option A shortcuts without
parameters, plain twins without shortcuts, shapes, the schedule, and learning on real
Fashion-MNIST."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import lightning.pytorch as L
import pytest
import torch
from torch import nn

from landmark import testing
from landmark.datamodules.mnist import FashionMNIST
from landmark.registry import discover
from landmark.plugins.resnet import plugin
from landmark.plugins.resnet.model import (
    BasicBlock,
    Bottleneck,
    Projection,
    ResNet,
    ZeroPadShortcut,
)

REPO = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- the plugin


def test_plugin_contract():
    assert plugin.name == "resnet" and plugin.model is ResNet and plugin.datamodule is FashionMNIST
    assert (plugin.monitor, plugin.mode) == ("val_error", "min")
    values = {(r.experiment, r.source): r.value for r in plugin.card.results}
    assert values[("cifar10, ResNet-20", "paper")] == 8.75 and values[("cifar10, ResNet-56", "paper")] == 6.97
    akamaster = "akamaster/pytorch_resnet_cifar10"
    assert values[("cifar10, ResNet-20", akamaster)] == 8.27 and values[("cifar10, ResNet-56", akamaster)] == 6.61
    for r in plugin.card.results:
        assert (REPO / r.config).is_file(), r.config


def test_discovered_through_an_entry_point():
    reg = discover([EntryPoint("resnet", "landmark.plugins.resnet:plugin", "landmark.plugins")])
    assert reg.names() == ["resnet"] and not reg.broken


@pytest.mark.parametrize("path", sorted((REPO / "configs" / "resnet").glob("*.yaml")), ids=lambda p: p.name)
def test_config_parses(path):
    testing.check_config_file(path)


# --------------------------------------------------------------------------- architecture


def blocks(model: ResNet) -> list[nn.Module]:
    return [m for m in model.modules() if isinstance(m, (BasicBlock, Bottleneck))]


@pytest.mark.parametrize(
    "depth, params",
    # Table 6's "# params" (0.27M, 0.46M, 0.66M, 0.85M, 1.7M); exact counts as akamaster's.
    [(20, 269_722), (32, 464_154), (44, 658_586), (56, 853_018), (110, 1_727_962)],
)
def test_cifar_family_depths_and_parameters(depth, params):
    n = (depth - 2) // 6
    model = ResNet(depth=depth)
    assert model.weighted_layers() == depth == 6 * n + 2
    assert len(blocks(model)) == 3 * n
    assert model.num_parameters() == params
    assert round(params / 1e6, 2 if depth < 100 else 1) == {20: 0.27, 32: 0.46, 44: 0.66, 56: 0.85, 110: 1.7}[depth]
    # three stages of 16, 32, 64 filters
    assert [s[0].conv1.out_channels for s in model.stages] == [16, 32, 64]


def test_option_a_shortcuts_have_no_parameters():
    model = ResNet(depth=20)
    pads = [m for m in model.modules() if isinstance(m, ZeroPadShortcut)]
    assert len(pads) == 2  # where 16 -> 32 and 32 -> 64 filters
    assert not any(isinstance(m, Projection) for m in model.modules())
    assert all(not list(p.parameters()) for p in pads)
    # the residual net and its plain twin have exactly the same parameters
    plain = ResNet(depth=20, residual=False)
    assert [tuple(p.shape) for p in model.parameters()] == [tuple(p.shape) for p in plain.parameters()]
    # zero-padding: identity on the first channels, zeros after, every other pixel
    x = torch.randn(2, 16, 8, 8)
    y = pads[0](x)
    assert y.shape == (2, 32, 4, 4)
    assert torch.equal(y[:, :16], x[:, :, ::2, ::2]) and not y[:, 16:].any()


def test_plain_nets_have_no_shortcut():
    for model in (ResNet(depth=56, residual=False), ResNet(depth=34, family="imagenet", residual=False)):
        assert all(b.shortcut is None for b in blocks(model))
        assert not any(isinstance(m, (ZeroPadShortcut, Projection)) for m in model.modules())
    # and the residual nets have one in every block
    assert all(b.shortcut is not None for b in blocks(ResNet(depth=56)))


def test_residual_is_the_plain_output_plus_the_shortcut():
    torch.manual_seed(0)
    block = BasicBlock(16, 32, 2, "A").eval()
    x = torch.randn(2, 16, 8, 8)
    block_plain = BasicBlock(16, 32, 2, None).eval()
    block_plain.load_state_dict(block.state_dict(), strict=False)
    f = block.bn2(block.conv2(torch.relu(block.bn1(block.conv1(x)))))
    assert torch.allclose(block(x), torch.relu(f + block.shortcut(x)))
    assert torch.allclose(block_plain(x), torch.relu(f))


@pytest.mark.parametrize(
    "depth, params, layers",
    # torchvision's counts for 1000 classes (Table 1's nets with option B)
    [(18, 11_689_512, 18), (34, 21_797_672, 34), (50, 25_557_032, 50), (101, 44_549_160, 101), (152, 60_192_808, 152)],
)
def test_imagenet_family(depth, params, layers):
    model = ResNet(depth=depth, family="imagenet", num_classes=1000)
    assert model.num_parameters() == params and model.weighted_layers() == layers
    kind = BasicBlock if depth < 50 else Bottleneck
    assert all(isinstance(b, kind) for b in blocks(model))
    # option B: projections only where the dimensions change (3 for basic nets, 4 for bottlenecks)
    assert sum(isinstance(m, Projection) for m in model.modules()) == (3 if depth < 50 else 4)


def multiply_adds(model: nn.Module, x: torch.Tensor) -> int:
    total = 0

    def count(m, inp, out):
        nonlocal total
        if isinstance(m, nn.Conv2d):
            total += out.numel() // out.shape[0] * m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.Linear):
            total += m.in_features * m.out_features

    hooks = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        out = model(x)
    for h in hooks:
        h.remove()
    return out, total


@pytest.mark.parametrize("depth, gflops", [(18, 1.8), (50, 3.8)])
def test_imagenet_shapes_and_table1_flops(depth, gflops):
    model = ResNet(depth=depth, family="imagenet", num_classes=1000).eval()
    out, macs = multiply_adds(model, torch.zeros(1, 3, 224, 224))
    assert out.shape == (1, 1000)
    # Table 1's "FLOPs" are multiply-adds (ResNet-50: 3.86e9 with the stride on the first 1x1,
    # as the paper; torchvision's stride on the 3x3 gives 4.1e9)
    assert macs / 1e9 == pytest.approx(gflops, abs=0.1)


def test_cifar_shapes():
    model = ResNet(depth=20).eval()
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    shapes = []
    hook = model.stages.register_forward_hook(lambda m, i, o: shapes.append(o.shape))
    model(torch.zeros(2, 3, 32, 32))
    hook.remove()
    assert shapes == [(2, 64, 8, 8)]
    assert ResNet(depth=20, in_channels=1)(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    # the CIFAR family on 224x224 inputs, and the ImageNet family's option A
    assert ResNet(depth=8, width=4).eval()(torch.zeros(1, 3, 224, 224)).shape == (1, 10)
    model = ResNet(depth=18, family="imagenet", shortcut="A", width=8).eval()
    assert not any(isinstance(m, Projection) for m in model.modules())
    assert model(torch.zeros(1, 3, 64, 64)).shape == (1, 10)


def test_bad_depths_name_the_valid_ones():
    with pytest.raises(ValueError, match="6n\\+2"):
        ResNet(depth=21)
    with pytest.raises(ValueError, match="18, 34, 50, 101, 152"):
        ResNet(depth=20, family="imagenet")


def test_he_init():
    torch.manual_seed(0)
    model = ResNet(depth=56)
    conv = model.stages[2][3].conv1  # 64 x 64 x 3 x 3: fan_in 576
    assert abs(conv.weight.std().item() - (2 / 576) ** 0.5) < 0.003
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    assert all(torch.all(b.weight == 1) and torch.all(b.bias == 0) for b in bns)


# --------------------------------------------------------------------------- optimisation


def test_paper_schedule():
    model = ResNet()
    opt = model.configure_optimizers()
    sgd, sched = opt["optimizer"], opt["lr_scheduler"]
    g = sgd.param_groups[0]
    assert (g["lr"], g["momentum"], g["weight_decay"]) == (0.1, 0.9, 1e-4)
    assert sched["interval"] == "step"
    factors = [model.lr_factor(s) for s in (0, 31_999, 32_000, 47_999, 48_000, 63_999)]
    assert factors == pytest.approx([1, 1, 0.1, 0.1, 0.01, 0.01])


class _Tiny(L.LightningDataModule):
    def __init__(self, x, y, batch_size):
        super().__init__()
        self.x, self.y, self.batch_size = x, y, batch_size

    def train_dataloader(self):
        return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(self.x, self.y), batch_size=self.batch_size)


class _LR(L.Callback):
    def __init__(self):
        self.lrs = []

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        self.lrs.append(trainer.optimizers[0].param_groups[0]["lr"])


def _trainer(tmp_path, **kw):
    args = dict(accelerator="cpu", devices=1, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                enable_model_summary=False, num_sanity_val_steps=0, limit_val_batches=0, default_root_dir=tmp_path)
    return L.Trainer(**{**args, **kw})


def test_warmup_until_the_training_error_falls(tmp_path):
    """ResNet-110's warm-up (§4.2): 0.01 until the training error is below the threshold, then 0.1."""
    torch.manual_seed(0)
    x, y = torch.randn(32, 1, 8, 8), torch.randint(0, 10, (32,))
    lrs = _LR()
    # an unreachable threshold: warm all the way
    model = ResNet(depth=8, width=4, in_channels=1, warmup_lr=0.01, warmup_error=-1.0)
    _trainer(tmp_path, max_steps=3, callbacks=[lrs]).fit(model, _Tiny(x, y, 8))
    assert lrs.lrs == pytest.approx([0.01] * 3)
    # any error ends it after the first batch
    lrs = _LR()
    model = ResNet(depth=8, width=4, in_channels=1, warmup_lr=0.01, warmup_error=101.0)
    _trainer(tmp_path, max_steps=3, callbacks=[lrs]).fit(model, _Tiny(x, y, 8))
    assert lrs.lrs == pytest.approx([0.01, 0.1, 0.1])


def test_a_few_steps_reduce_the_loss_on_fashion_mnist(tmp_path, shared_data):
    """Real Fashion-MNIST: 30 SGD steps of a small ResNet lower the loss on a fixed batch."""
    dm = FashionMNIST(train_size=512, val_size=0, batch_size=64, seed=0, on_device=False)
    dm.setup("fit")
    x, y = dm.transform((dm.train_set[0][:256], dm.train_set[1][:256]))
    assert x.shape == (256, 1, 28, 28) and len(torch.unique(y)) == 10
    L.seed_everything(0, verbose=False)
    model = ResNet(depth=8, width=8, in_channels=1, lr=0.05)
    with torch.no_grad():  # training mode (batch statistics) both times: 30 steps of running stats are noise
        before = torch.nn.functional.cross_entropy(model(x), y).item()
    _trainer(tmp_path, max_steps=30).fit(model, _Tiny(x, y, 64))
    model.train()
    with torch.no_grad():
        after = torch.nn.functional.cross_entropy(model(x), y).item()
    assert after < 0.7 * before, (before, after)
