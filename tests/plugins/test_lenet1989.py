"""lenet1989: the paper's architecture and counts, its partial connectivity, the real data, and
per-sample SGD that matches a hand-written loop bit for bit."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

import lightning.pytorch as L
from lightning.pytorch.callbacks import ModelCheckpoint

from landmark import testing
from landmark.datamodules.mnist16 import MNIST16
from landmark.datamodules.usps import USPS
from landmark.plugins.lenet1989 import plugin
from landmark.plugins.lenet1989.model import CONNECTIONS, LeNet1989



pytestmark = pytest.mark.usefixtures("one_thread")


trainer = testing.quiet_trainer


@pytest.fixture(scope="module")
def usps(shared_data: Path) -> USPS:
    dm = USPS(str(shared_data / "usps"), batch_size=64)
    dm.setup("fit")
    return dm


# --------------------------------------------------------------------------- architecture


def test_plugin_contract():
    assert plugin.name == "lenet1989" and plugin.model is LeNet1989 and plugin.datamodule is USPS
    assert (plugin.monitor, plugin.mode) == ("val_error", "min")
    cfg = plugin.default_config()
    assert cfg["trainer"]["max_epochs"] == 23
    assert {r.config for r in plugin.card.results} <= {"configs/lenet1989/usps.yaml", "configs/lenet1989/mnist16.yaml"}


def test_shapes_and_paper_counts():
    model = LeNet1989()
    assert model(torch.zeros(5, 1, 16, 16)).shape == (5, 10)
    # every non-input unit has its own bias (the paper: biases are not shared within a map)
    units = {
        "H1": model.h1_bias.numel(), "H2": model.h2_bias.numel(), "H3": model.h3_bias.numel(), "out": model.out_bias.numel()
    }
    assert units == {"H1": 12 * 8 * 8, "H2": 12 * 4 * 4, "H3": 30, "out": 10}
    assert 16 * 16 + sum(units.values()) == 1256
    h2_fan_in = model.h2_mask.flatten(1).sum(1) * 5 * 5
    assert h2_fan_in.tolist() == [200.0] * 12
    connections = (
        units["H1"] * (5 * 5 + 1) + units["H2"] * (200 + 1) + units["H3"] * (192 + 1) + units["out"] * (30 + 1)
    )
    assert connections == 64_660
    assert model.num_free_parameters() == 9_760
    # the dense H2 kernel stores the 12 x 4 x 25 masked-out weights as zeros
    assert sum(p.numel() for p in model.parameters()) == 9_760 + 1_200


def test_connection_scheme_is_the_repros():
    assert len(CONNECTIONS) == 12 and all(len(set(c)) == 8 for c in CONNECTIONS)
    # each H1 map feeds 8 of the 12 H2 maps
    assert Counter(i for c in CONNECTIONS for i in c) == {i: 8 for i in range(12)}
    model = LeNet1989()
    for o, ins in enumerate(CONNECTIONS):
        assert model.h2_mask[o].flatten().nonzero().flatten().tolist() == list(ins)
        masked = [i for i in range(12) if i not in ins]
        assert model.h2_weight[o, masked].abs().sum() == 0


def test_init_is_the_repros():
    """Same seed, same draws as karpathy/lecun1989-repro's Net: U[-2.4/sqrt(F), 2.4/sqrt(F)], biases 0, output -1."""
    torch.manual_seed(1337)
    model = LeNet1989()
    torch.manual_seed(1337)
    winit = lambda fan_in, *shape: (torch.rand(*shape) - 0.5) * 2 * 2.4 / fan_in**0.5  # noqa: E731
    h1, h2, h3, out = winit(25, 12, 1, 5, 5), winit(200, 12, 8, 5, 5), winit(192, 192, 30), winit(30, 30, 10)
    assert torch.equal(model.h1_weight, h1) and torch.equal(model.h3_weight, h3) and torch.equal(model.out_weight, out)
    for o, ins in enumerate(CONNECTIONS):
        assert torch.equal(model.h2_weight[o, list(ins)], h2[o])
    for fan_in, w in ((25, model.h1_weight), (200, model.h2_weight), (192, model.h3_weight), (30, model.out_weight)):
        assert w.abs().max() <= 2.4 / fan_in**0.5
    assert model.h1_bias.abs().sum() == model.h2_bias.abs().sum() == model.h3_bias.abs().sum() == 0
    assert torch.equal(model.out_bias, -torch.ones(10))


def test_scaled_tanh_hits_the_targets():
    model = LeNet1989(scaled_tanh=True)
    assert torch.allclose(model.squash(torch.tensor([-1.0, 1.0])), torch.tensor([-1.0, 1.0]), atol=1e-4)
    assert torch.equal(LeNet1989.targets(torch.tensor([3])), torch.tensor([[-1.0] * 3 + [1.0] + [-1.0] * 6]))


# --------------------------------------------------------------------------- data


def test_usps_real_data(usps):
    (xtr, ytr), (xte, yte) = usps.train_set, usps.test_set
    assert xtr.shape == (7291, 1, 16, 16) and xte.shape == (2007, 1, 16, 16)
    assert xtr.dtype == torch.float32 and ytr.dtype == torch.int64
    assert xtr.min() == -1 and xtr.max() == 1 and xte.min() >= -1 and xte.max() <= 1
    # class counts from zip.info.txt
    assert torch.bincount(ytr).tolist() == [1194, 1005, 731, 658, 652, 556, 664, 645, 542, 644]
    assert torch.bincount(yte).tolist() == [359, 264, 198, 166, 200, 160, 170, 147, 166, 177]
    train = usps.train_dataloader()
    assert len(train) == -(-7291 // 64)
    x, y = next(iter(train))
    assert torch.equal(x, xtr[:64]) and torch.equal(y, ytr[:64])  # fixed order, as the paper
    test, train_eval = usps.val_dataloader()
    assert sum(len(b[1]) for b in test) == 2007 and sum(len(b[1]) for b in train_eval) == 7291


def test_usps_missing_files_name_them(tmp_path, monkeypatch):
    monkeypatch.setenv("LANDMARK_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="zip.train.gz"):
        USPS(str(tmp_path)).setup("fit")


def test_mnist16_real_data(shared_data):
    dm = MNIST16(str(shared_data / "mnist"))
    dm.setup("fit")
    (xtr, ytr), (xte, yte) = dm.train_set, dm.test_set
    assert xtr.shape == (7291, 1, 16, 16) and xte.shape == (2007, 1, 16, 16)
    assert xtr.min() >= -1 and xtr.max() <= 1 and xtr.min() == -1 and xtr.max() > 0.9
    assert len(torch.unique(ytr)) == len(torch.unique(yte)) == 10
    assert torch.bincount(ytr).min() > 500  # a uniform draw: ~729 per class
    # seeded: the same seed draws the same samples, another seed others
    again = MNIST16(str(shared_data / "mnist"))
    again.setup("fit")
    assert torch.equal(again.train_set[0], xtr) and torch.equal(again.test_set[1], yte)
    other = MNIST16(str(shared_data / "mnist"), seed=1, n_train=100, n_test=10)
    other.setup("fit")
    assert other.train_set[0].shape == (100, 1, 16, 16) and not torch.equal(other.train_set[0], xtr[:100])


# --------------------------------------------------------------------------- training


def hand_written_sgd(x, labels, lr=0.03, seed=1337):
    """repro.py's loop: one sample at a time, zero_grad/backward/SGD.step, in order."""
    torch.manual_seed(seed)
    model = LeNet1989(lr=lr)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    target = LeNet1989.targets(labels)
    for i in range(len(x)):
        loss = F.mse_loss(model(x[i : i + 1]), target[i : i + 1])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return model


def fit(tmp_path, dm, seed=1337, **kw) -> LeNet1989:
    L.seed_everything(seed, verbose=False)
    model = LeNet1989(**kw.pop("model", {}))
    trainer(tmp_path, **kw).fit(model, dm)
    return model


def test_per_sample_sgd_is_bit_identical_to_a_hand_written_loop(tmp_path, usps):
    model = fit(tmp_path, usps, limit_train_batches=5, limit_val_batches=0)  # 5 chunks of 64 = 320 updates
    assert model.trainer.global_step == 320  # one optimizer step per sample
    x, y = usps.train_set
    reference = hand_written_sgd(x[:320], y[:320])
    for (name, a), b in zip(model.named_parameters(), reference.parameters()):
        assert torch.equal(a, b), name


def test_masked_weights_stay_zero(tmp_path, usps):
    before = LeNet1989().h2_weight.detach().clone()
    model = fit(tmp_path, usps, limit_train_batches=3, limit_val_batches=0)
    mask = model.h2_mask.expand_as(model.h2_weight).bool()
    assert model.h2_weight[~mask].abs().sum() == 0
    assert (model.h2_weight[mask] != before[mask]).float().mean() > 0.5  # the connected ones did learn


def test_short_run_learns_and_is_deterministic(tmp_path, usps):
    dm = USPS(usps.hparams.data_dir, batch_size=256)
    runs = [fit(tmp_path, dm, limit_train_batches=6) for _ in range(2)]  # 1,536 updates
    metrics = runs[0].trainer.callback_metrics
    assert metrics["val_error"] < 25 and metrics["train_error"] < 25  # chance is 90%
    assert torch.isfinite(metrics["train_loss"])
    for a, b in zip(runs[0].parameters(), runs[1].parameters()):
        assert torch.equal(a, b)


def test_bf16_mixed(tmp_path, usps):
    model = fit(tmp_path, usps, precision="bf16-mixed", limit_train_batches=4)
    metrics = model.trainer.callback_metrics
    assert model.trainer.global_step == 256 and torch.isfinite(metrics["train_loss"])
    assert metrics["val_error"] < 60
    mask = model.h2_mask.expand_as(model.h2_weight).bool()
    assert model.h2_weight[~mask].abs().sum() == 0 and model.h2_weight.dtype == torch.float32


def test_checkpoint_round_trip(tmp_path, usps):
    ckpt = ModelCheckpoint(dirpath=tmp_path / "ckpt", monitor="val_error", save_last=True)
    L.seed_everything(0, verbose=False)
    model = LeNet1989(lr=0.02, scaled_tanh=True)
    run = trainer(tmp_path, enable_checkpointing=True, callbacks=[ckpt], limit_train_batches=2, limit_val_batches=1)
    run.fit(model, usps)
    state = torch.load(ckpt.last_model_path, weights_only=True)  # primitives only
    assert state["hyper_parameters"]["scaled_tanh"] is True
    loaded = LeNet1989.load_from_checkpoint(ckpt.best_model_path, weights_only=True)
    assert loaded.hparams.lr == 0.02 and loaded.hparams.scaled_tanh is True
    for (name, a), b in zip(model.state_dict().items(), loaded.state_dict().values()):
        assert torch.equal(a, b), name
    x = usps.test_set[0][:8]
    assert torch.equal(model(x), loaded(x))


def test_ddp_is_synchronous_per_sample_sgd(tmp_path, usps):
    """Two gloo processes: update k averages the gradients of samples 2k (rank 0) and 2k+1 (rank 1)."""
    dm = USPS(usps.hparams.data_dir, batch_size=6, eval_train=False)
    model = fit(tmp_path, dm, strategy="ddp_spawn", devices=2, limit_train_batches=1, limit_val_batches=0)
    torch.manual_seed(1337)
    reference = LeNet1989()
    params = list(reference.parameters())
    x, labels = usps.train_set
    target = LeNet1989.targets(labels)
    for k in range(6):
        grads = [
            torch.autograd.grad(reference.sample_loss(x[i : i + 1], target[i : i + 1]), params) for i in (2 * k, 2 * k + 1)
        ]
        with torch.no_grad():
            for p, g0, g1 in zip(params, *grads):
                p -= 0.03 * (g0 + g1) / 2
    for (name, a), b in zip(model.named_parameters(), params):
        assert torch.allclose(a, b, atol=1e-6), name
    mask = model.h2_mask.expand_as(model.h2_weight).bool()
    assert model.h2_weight[~mask].abs().sum() == 0


def test_compiled_step_matches_eager(tmp_path, usps):
    model = fit(tmp_path, usps, model={"compile": True}, limit_train_batches=1, limit_val_batches=0)  # 64 updates
    assert model.trainer.global_step == 64
    x, y = usps.train_set
    reference = hand_written_sgd(x[:64], y[:64])
    for (name, a), b in zip(model.named_parameters(), reference.parameters()):
        assert torch.allclose(a, b, atol=1e-5), name


def test_other_optimizers_take_the_generic_path(tmp_path, usps):
    """An optimizer swapped in (e.g. from the command line) is honoured, not replaced by plain SGD."""

    class Momentum(LeNet1989):
        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.03, momentum=0.9)

    L.seed_everything(1337, verbose=False)
    model = Momentum()
    trainer(tmp_path, limit_train_batches=1, limit_val_batches=0).fit(model, usps)
    assert model.trainer.global_step == 64
    torch.manual_seed(1337)
    reference = LeNet1989()
    opt = torch.optim.SGD(reference.parameters(), lr=0.03, momentum=0.9)
    x, y = usps.train_set
    target = LeNet1989.targets(y)
    for i in range(64):
        opt.zero_grad()
        F.mse_loss(reference(x[i : i + 1]), target[i : i + 1]).backward()
        opt.step()
    for (name, a), b in zip(model.named_parameters(), reference.parameters()):
        assert torch.equal(a, b), name


def test_resume_from_checkpoint_continues_exactly(tmp_path, usps):
    """Two passes in one go == one pass, then resume from its last checkpoint for the second."""
    kw = dict(limit_train_batches=3, limit_val_batches=0)
    straight = fit(tmp_path / "a", usps, max_epochs=2, **kw)
    ckpt = ModelCheckpoint(dirpath=tmp_path / "b", save_last=True)
    fit(tmp_path / "b", usps, max_epochs=1, enable_checkpointing=True, callbacks=[ckpt], **kw)
    L.seed_everything(7, verbose=False)  # resuming must not depend on the seed
    resumed = LeNet1989()
    t = trainer(tmp_path / "b", max_epochs=2, **kw)
    t.fit(resumed, usps, ckpt_path=ckpt.last_model_path)
    assert t.global_step == straight.trainer.global_step == 2 * 3 * 64
    for (name, a), b in zip(straight.named_parameters(), resumed.parameters()):
        assert torch.equal(a, b), name
