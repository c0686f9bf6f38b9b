"""lenet5: the paper's layers and counts, Table I enforced, scaled tanh, RBF outputs and the MAP
loss, SDLM's second derivatives, a short real MNIST run, and the modern variant as a config."""

from __future__ import annotations

from pathlib import Path

import lightning.pytorch as L
import pytest
import torch

from landmark import testing
from landmark.datamodules.mnist import MNIST
from landmark.plugins.lenet5 import LR_SCHEDULE, plugin
from landmark.plugins.lenet5.model import DIGIT_BITMAPS, PAPER_LR_SCHEDULE, SDLM, TABLE_I, LeNet5, rbf_codes

REPO = Path(__file__).resolve().parents[2]
CONFIGS = sorted((REPO / "configs" / "lenet5").glob("*.yaml"))


pytestmark = pytest.mark.usefixtures("one_thread")


trainer = testing.quiet_trainer


def mnist(shared_data: Path, **kw) -> MNIST:
    args = dict(batch_size=16, eval_batch_size=2000, val_size=0, normalize="lenet5", pad=2, seed=0)
    args.update(kw)
    return MNIST(str(shared_data / "mnist"), **args)


# --------------------------------------------------------------------------- architecture


def test_plugin_contract():
    assert plugin.name == "lenet5" and plugin.model is LeNet5 and plugin.datamodule is MNIST
    assert (plugin.monitor, plugin.mode) == ("val_error", "min")
    cfg = plugin.default_config()
    assert cfg["trainer"]["max_epochs"] == 20
    assert {r.config for r in plugin.card.results} <= {str(p.relative_to(REPO)) for p in CONFIGS}
    paper = {r.experiment: r.value for r in plugin.card.results if r.metric == "val_error"}
    assert paper == {"mnist": 0.95, "mnist_distortions": 0.80}


def test_layer_shapes_and_paper_parameter_counts():
    model = LeNet5()
    x = torch.randn(2, 1, 32, 32)
    shapes = []
    for linear, w, b in model._layers():
        x = model.squash(linear(x, w, b))
        shapes.append(tuple(x.shape[1:]))
    assert shapes == [(6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5), (120, 1, 1), (84,)]
    assert model(torch.randn(2, 1, 32, 32)).shape == (2, 10)
    n = lambda *ps: sum(p.numel() for p in ps)  # noqa: E731
    free_c3 = int(model.c3_mask.sum()) * 25 + 16
    counts = {
        "C1": n(model.c1_weight, model.c1_bias), "S2": n(model.s2_coef, model.s2_bias), "C3": free_c3,
        "S4": n(model.s4_coef, model.s4_bias), "C5": n(model.c5_weight, model.c5_bias), "F6": n(model.f6_weight, model.f6_bias),
    }  # fmt: skip
    assert counts == {"C1": 156, "S2": 12, "C3": 1516, "S4": 32, "C5": 48120, "F6": 10164}
    assert model.num_free_parameters() == sum(counts.values()) == 60000
    assert n(*model.parameters()) == 60000 + 900  # C3's masked 36 of 96 map pairs, stored but frozen at 0


def test_table_i():
    """The paper's Table I, row by row (S2 map -> the C3 maps it feeds)."""
    rows = {
        0: {0, 4, 5, 6, 9, 10, 11, 12, 14, 15}, 1: {0, 1, 5, 6, 7, 10, 11, 12, 13, 15},
        2: {0, 1, 2, 6, 7, 8, 11, 13, 14, 15}, 3: {1, 2, 3, 6, 7, 8, 9, 12, 14, 15},
        4: {2, 3, 4, 7, 8, 9, 10, 12, 13, 15}, 5: {3, 4, 5, 8, 9, 10, 11, 13, 14, 15},
    }  # fmt: skip
    assert {r: {c for c, ins in enumerate(TABLE_I) if r in ins} for r in range(6)} == rows
    mask = LeNet5().c3_mask.view(16, 6)
    assert mask.sum() == 60 and all(mask[c, list(ins)].sum() == len(ins) for c, ins in enumerate(TABLE_I))
    assert LeNet5(c3_table=False).c3_mask.sum() == 96


def test_paper_initialisation():
    torch.manual_seed(0)
    model = LeNet5()
    for w, fan_in in ((model.c1_weight, 25), (model.s2_coef, 4), (model.c5_weight, 400), (model.f6_weight, 120)):
        assert w.abs().max() <= 2.4 / fan_in
    for w, fan_in in ((model.c1_weight, 25), (model.c5_weight, 400), (model.f6_weight, 120)):  # enough draws to fill the range
        assert w.abs().max() > 0.9 * 2.4 / fan_in
    fan_c3 = model.c3_mask.view(16, 6).sum(1) * 25
    assert (model.c3_weight.abs().amax((1, 2, 3)) <= 2.4 / fan_c3).all()
    assert model.c3_weight[~model.c3_mask.expand_as(model.c3_weight).bool()].abs().sum() == 0


def test_scaled_tanh_constants():
    model = LeNet5()
    a = torch.tensor([-1.0, 0.0, 1.0, 100.0])
    assert torch.allclose(model.squash(a), 1.7159 * torch.tanh(2 * a / 3))
    assert torch.allclose(model.squash(torch.tensor([-1.0, 1.0])), torch.tensor([-1.0, 1.0]), atol=1e-4)  # f(±1) = ±1
    assert model.squash(a)[-1] == pytest.approx(1.7159)  # the asymptote A
    a.requires_grad_(True)
    (slope,) = torch.autograd.grad(model.squash(a).sum(), a)
    assert torch.allclose(model.squash_slope(a.detach()), slope)


def test_rbf_output_and_losses():
    codes = rbf_codes()
    assert codes.shape == (10, 84) and set(codes.unique().tolist()) == {-1.0, 1.0}
    assert all(len(g) == 12 and all(len(row) == 7 for row in g) for g in DIGIT_BITMAPS)
    hamming = (codes[:, None] != codes[None]).sum(-1) + 84 * torch.eye(10, dtype=torch.long)
    assert hamming.min() >= 7  # distinct codes; similar glyphs (6/8) are closest, as the paper intends
    model = LeNet5()
    f6 = torch.randn(3, 84)
    y = model.rbf(f6)
    assert torch.allclose(y, torch.cdist(f6, codes) ** 2, atol=1e-4)  # Eq. 7
    assert torch.equal(model.rbf(codes).argmin(1), torch.arange(10))  # a code is recognised as its digit
    labels = torch.tensor([3, 0, 9])
    j = 0.1
    eq9 = y[torch.arange(3), labels] + torch.log(torch.exp(torch.tensor(-j)) + torch.exp(-y).sum(1))
    assert torch.allclose(model.sample_losses(-y, labels), eq9, atol=1e-5)
    assert torch.allclose(LeNet5(loss="mle").sample_losses(-y, labels), y[torch.arange(3), labels])
    with pytest.raises(ValueError, match="output='rbf'"):
        LeNet5(output="linear", loss="map")
    with pytest.raises(ValueError, match="sdlm"):
        LeNet5(pooling="max")


def test_sdlm_second_derivatives():
    """h for F6's bias is 2 f'(a)^2 per pattern; C5's bias back-propagates it through F6's squared weights."""
    torch.manual_seed(0)
    model = LeNet5()
    x = torch.randn(7, 1, 32, 32)
    h = model.estimate_hessian(x)
    assert set(h) == {n for n, _ in model.named_parameters()}
    acts = [x]
    pres = []
    for linear, w, b in model._layers():
        pres.append(linear(acts[-1], w, b))
        acts.append(model.squash(pres[-1]))
    d2_a6 = 2 * model.squash_slope(pres[5]) ** 2  # (7, 84)
    assert torch.allclose(h["f6_bias"], d2_a6.mean(0), rtol=1e-5)
    d2_a5 = model.squash_slope(pres[4].flatten(1)) ** 2 * (d2_a6 @ model.f6_weight**2)  # (7, 120)
    assert torch.allclose(h["c5_bias"], d2_a5.mean(0), rtol=1e-4)
    assert torch.allclose(h["f6_weight"], (d2_a6[:, :, None] * acts[5].flatten(1)[:, None] ** 2).mean(0), rtol=1e-4)
    assert all((v >= 0).all() for v in h.values())
    assert h["c3_weight"][~model.c3_mask.expand_as(model.c3_weight).bool()].abs().sum() == 0
    # the step: w -= lr / (mu + h) * grad
    p = torch.nn.Parameter(torch.ones(3))
    opt = SDLM([p], lr=0.5, mu=0.02)
    opt.state[p]["hessian"] = torch.tensor([0.0, 0.98, 1.98])
    p.grad = torch.ones(3)
    opt.step()
    assert torch.allclose(p.detach(), 1 - 0.5 / torch.tensor([0.02, 1.0, 2.0]))


# --------------------------------------------------------------------------- training


def test_masked_weights_stay_zero_and_lr_follows_the_schedule(tmp_path, shared_data):
    L.seed_everything(0, verbose=False)
    model = LeNet5(lr_schedule=(3e-6, 1e-6))
    before = model.c3_weight.detach().clone()
    dm = mnist(shared_data, train_size=64)
    trainer(tmp_path, max_epochs=2, limit_val_batches=0).fit(model, dm)
    mask = model.c3_mask.expand_as(model.c3_weight).bool()
    assert model.trainer.global_step == 8
    assert model.c3_weight[~mask].abs().sum() == 0
    assert (model.c3_weight[mask] != before[mask]).float().mean() > 0.5
    opt = model.trainer.optimizers[0]
    assert opt.param_groups[0]["lr"] == 1e-6
    assert torch.equal(opt.state[model.f6_bias]["hessian"], opt.state[model.f6_bias]["hessian"])
    assert opt.state[model.c1_weight]["hessian"].shape == model.c1_weight.shape


def test_short_mnist_run_learns(tmp_path, shared_data):
    """One pass over 4,000 real MNIST digits at the faithful config's settings: far below chance (90%)."""
    L.seed_everything(1998, verbose=False)
    model = LeNet5(lr_schedule=LR_SCHEDULE)
    dm = mnist(shared_data, train_size=4000)
    trainer(tmp_path, limit_val_batches=1).fit(model, dm)  # validation: 2,000 test digits
    metrics = model.trainer.callback_metrics
    assert metrics["val_error"] < 40, metrics
    assert torch.isfinite(metrics["train_loss"])


def test_paper_schedule():
    assert PAPER_LR_SCHEDULE[:2] == (5e-4,) * 2 and PAPER_LR_SCHEDULE[2:5] == (2e-4,) * 3
    assert PAPER_LR_SCHEDULE[5:8] == (1e-4,) * 3 and PAPER_LR_SCHEDULE[8:12] == (5e-5,) * 4
    assert set(PAPER_LR_SCHEDULE[12:]) == {1e-5} and len(PAPER_LR_SCHEDULE) == 20
    assert [a / b for a, b in zip(LR_SCHEDULE, PAPER_LR_SCHEDULE)] == pytest.approx([1 / 50] * len(LR_SCHEDULE))


# --------------------------------------------------------------------------- configs


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_config_parses(path):
    testing.check_config_file(path)


def test_modern_config_trains_one_step(tmp_path, shared_data):
    import yaml

    cfg = yaml.safe_load((REPO / "configs/lenet5/mnist_modern.yaml").read_text())
    args = cfg["model"]["init_args"]
    args["lr_schedule"] = tuple(args["lr_schedule"])
    model = LeNet5(**args)
    assert not hasattr(model, "s2_coef") and model.c3_mask.sum() == 96
    dm = MNIST(**{**cfg["data"]["init_args"], "data_dir": str(shared_data / "mnist")})
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    trainer(tmp_path, limit_train_batches=1, limit_val_batches=1).fit(model, dm)
    assert isinstance(model.trainer.optimizers[0], torch.optim.Adam)
    assert all(not torch.equal(p, before[n]) for n, p in model.named_parameters())
    assert torch.isfinite(model.trainer.callback_metrics["val_loss"])
