"""perceptron1958: the rule is error correction only, it converges within Novikoff's bound on
separable data, it never solves XOR, and it learns the real digits (scikit-learn's 8x8, MNIST)."""

from __future__ import annotations

from pathlib import Path

import lightning.pytorch as L
import pytest
import torch

from landmark import testing
from landmark.datamodules.digits import DATASETS as DIGITS_DATASETS
from landmark.datamodules.digits import Digits, load_digits
from landmark.datamodules.mnist import MNIST
from landmark.datamodules.perceptron_tasks import PerceptronTasks, separable_set, xor_set
from landmark.datasets import Dataset
from landmark.plugins.perceptron1958 import plugin
from landmark.plugins.perceptron1958.model import Corrections, Perceptron

CONFIGS = Path(__file__).resolve().parents[2] / "configs" / "perceptron1958"


pytestmark = pytest.mark.usefixtures("one_thread")


trainer = testing.quiet_trainer


def reference_loop(model: Perceptron, x: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, int]:
    """The rule as a plain loop over patterns: w_k += eta (t_k - r_k) x for each unit, each pattern."""
    w, b = model.weight.detach().clone(), model.bias.detach().clone()
    t = model.targets(labels)
    corrections = 0
    for xi, ti in zip(x, t):
        r = (w @ xi + b > 0).float()
        e = ti - r
        w += model.hparams.eta * e[:, None] * xi
        b += model.hparams.eta * e
        corrections += int(e.abs().sum())
    return w, b, corrections


def novikoff_bound(x: torch.Tensor, labels: torch.Tensor, u: torch.Tensor, c: float) -> float:
    """(R / gamma)^2 for the separator (u, c), in the augmented space (x, 1) where the threshold is a weight."""
    xa = torch.cat([x.double(), torch.ones(len(x), 1, dtype=torch.float64)], 1)
    ua = torch.cat([u.double(), torch.tensor([c], dtype=torch.float64)])
    R = xa.norm(dim=1).max()
    gamma = ((2 * labels - 1).double() * (xa @ ua)).min() / ua.norm()
    assert gamma > 0, "the set is not separated by (u, c)"
    return float((R / gamma) ** 2)


# --------------------------------------------------------------------------- the plugin


def test_plugin_contract():
    assert plugin.name == "perceptron1958" and plugin.model is Perceptron and plugin.datamodule is Digits
    assert (plugin.monitor, plugin.mode) == ("val_error", "min")
    assert {r.config for r in plugin.card.results} == {str(p.relative_to(CONFIGS.parents[1])) for p in CONFIGS.glob("*.yaml")}
    for r in plugin.card.results:
        assert (CONFIGS.parents[1] / r.config).is_file()
    assert isinstance(Perceptron().configure_optimizers(), Corrections)
    assert not Perceptron().automatic_optimization


def test_datasets_declared():
    assert all(isinstance(d, Dataset) for d in DIGITS_DATASETS)
    (digits,) = DIGITS_DATASETS
    assert digits.name == "sklearn-digits" and digits.files == () and "scikit-learn" in digits.title
    assert digits.locate() == {}  # nothing to fetch


def test_shapes():
    m = Perceptron(inputs=64, num_classes=10)
    assert m(torch.zeros(5, 64)).shape == (5, 10) and m.weight.abs().sum() == 0
    assert m(torch.zeros(5, 1, 8, 8)).shape == (5, 10)  # images are flattened
    binary = Perceptron(inputs=2, num_classes=2)
    assert binary.weight.shape == (1, 2)  # one response unit
    assert binary.predict(torch.tensor([[0.0], [0.5], [-1.0]])).tolist() == [0, 1, 0]  # fires above threshold
    assert binary.targets(torch.tensor([0, 1])).tolist() == [[0.0], [1.0]]
    assert m.targets(torch.tensor([3]))[0].tolist() == [0.0] * 3 + [1.0] + [0.0] * 6  # one-vs-rest
    with pytest.raises(ValueError, match="num_classes"):
        Perceptron(num_classes=1)


# --------------------------------------------------------------------------- the rule


def test_rule_is_the_sequential_loop():
    """The vectorised ``correct`` makes exactly the corrections of a pattern-by-pattern loop."""
    x, labels = load_digits()
    x, labels = x[:600], labels[:600]
    for eta in (1.0, 0.25):
        torch.manual_seed(0)
        m = Perceptron(64, 10, eta=eta, init_std=0.1)
        w, b, corrections = reference_loop(m, x, labels)
        _, made = m.correct(x, m.targets(labels))
        assert made == corrections > 0
        assert torch.allclose(m.weight, w, atol=1e-4) and torch.allclose(m.bias, b, atol=1e-4)


def test_rule_corrects_errors_only():
    """A pattern answered right changes nothing; a wrong one changes only the wrong units, by eta x."""
    m = Perceptron(inputs=3, num_classes=4, eta=0.5)
    with torch.no_grad():
        m.weight.copy_(torch.eye(4, 3))
        m.bias.fill_(-0.5)
    x = torch.tensor([[1.0, 0.0, 0.0]])  # unit 0 fires, the others stay silent
    w0, b0 = m.weight.detach().clone(), m.bias.detach().clone()
    assert m.correct(x, m.targets(torch.tensor([0]))) == (0, 0)  # right: no change at all
    assert torch.equal(m.weight, w0) and torch.equal(m.bias, b0)
    assert m.correct(x, m.targets(torch.tensor([2]))) == (1, 2)  # unit 0 wrongly on, unit 2 wrongly off
    dw = m.weight.detach() - w0
    assert torch.equal(dw[0], -0.5 * x[0]) and torch.equal(dw[2], 0.5 * x[0])
    assert dw[1].abs().sum() == 0 and dw[3].abs().sum() == 0  # units 1 and 3 were right
    assert (m.bias.detach() - b0).tolist() == [-0.5, 0.0, 0.5, 0.0]


def test_training_step_changes_weights_only_on_mistakes(tmp_path):
    """Through Lightning: once every pattern is right, further epochs leave the weights untouched."""
    dm = PerceptronTasks("separable", n=50, dim=2, margin=0.1, seed=3)
    m = Perceptron(inputs=2, num_classes=2)
    trainer(tmp_path, max_epochs=200).fit(m, datamodule=dm)
    assert m.solved_at >= 0
    w, b, steps = m.weight.detach().clone(), m.bias.detach().clone(), m.corrections.clone()
    trainer(tmp_path, max_epochs=5).fit(m, datamodule=dm)
    assert torch.equal(m.weight, w) and torch.equal(m.bias, b) and torch.equal(m.corrections, steps)


# --------------------------------------------------------------------------- Novikoff's theorem


@pytest.mark.parametrize("dim,margin,seed", [(2, 0.05, 0), (2, 0.01, 1), (5, 0.02, 2), (20, 0.05, 3)])
def test_converges_within_novikoff_bound(dim, margin, seed):
    x, labels, u, c = separable_set(400, dim, margin, seed)
    bound = novikoff_bound(x, labels, u, c)
    m = Perceptron(inputs=dim, num_classes=2)
    t = m.targets(labels)
    total = 0
    g = torch.Generator().manual_seed(seed)
    for epoch in range(10_000):
        order = torch.randperm(len(x), generator=g)
        wrong, made = m.correct(x[order], t[order])
        total += made
        assert total <= bound, f"{total} corrections exceed Novikoff's bound {bound:.0f}"
        if wrong == 0:
            break
    assert wrong == 0, "no error-free pass"
    assert (m.predict(m(x)) == labels).all()


def test_separable_config_run(tmp_path):
    """The separable config's task through Lightning: val_error 0, corrections_to_solve within the bound."""
    dm = PerceptronTasks("separable", n=500, dim=10, margin=0.05, seed=0)
    m = Perceptron(inputs=10, num_classes=2)
    tr = trainer(tmp_path, max_epochs=100)
    tr.fit(m, datamodule=dm)
    x, labels = dm.train_set
    bound = novikoff_bound(x, labels, *dm.separator)
    assert 0 < int(m.solved_at) <= bound
    assert float(tr.callback_metrics["val_error"]) == 0.0
    assert float(tr.callback_metrics["corrections_to_solve"]) == int(m.solved_at)


# --------------------------------------------------------------------------- XOR


def test_fails_on_xor(tmp_path):
    x, labels = xor_set()
    m = Perceptron(inputs=2, num_classes=2)
    t = m.targets(labels)
    g = torch.Generator().manual_seed(0)
    for epoch in range(1000):
        order = torch.randperm(4, generator=g)
        wrong, _ = m.correct(x[order], t[order])
        assert wrong > 0, f"pass {epoch} made no mistake on XOR"
        assert (m.predict(m(x)) != labels).sum() >= 1  # no line gets all four right
    # through Lightning, as configs/perceptron1958/xor.yaml runs it
    m = Perceptron(inputs=2, num_classes=2)
    tr = trainer(tmp_path, max_epochs=50)
    tr.fit(m, datamodule=PerceptronTasks("xor"))
    assert float(tr.callback_metrics["val_error"]) >= 0.25 and int(m.solved_at) == -1


# --------------------------------------------------------------------------- real digits


def test_digits_training_accuracy(tmp_path):
    """configs/perceptron1958/digits.yaml: 22 passes, seed 0 (the order); scikit-learn's Perceptron: 0.939."""
    L.seed_everything(0)
    dm = Digits(seed=0)
    m = Perceptron(inputs=64, num_classes=10)
    tr = trainer(tmp_path, max_epochs=22)
    tr.fit(m, datamodule=dm)
    acc = float(tr.callback_metrics["val_accuracy"])
    x, labels = load_digits()
    assert acc == pytest.approx(float((m.predict(m(x)) == labels).float().mean()))
    assert acc >= 0.93, acc  # measured 0.9616 (docs/perceptron1958.md)
    assert dm.val_set is dm.train_set and len(dm.train_set[0]) == 1797


def test_digits_split_is_seeded():
    a, b = Digits(val_size=300, test_size=200, seed=1), Digits(val_size=300, test_size=200, seed=1)
    a.setup(), b.setup()
    assert torch.equal(a.val_set[1], b.val_set[1]) and len(a.train_set[0]) == 1297 and len(a.test_set[0]) == 200
    c = Digits(val_size=300, seed=2)
    c.setup()
    assert not torch.equal(a.val_set[0], c.val_set[0])
    with pytest.raises(ValueError, match="val_size"):
        Digits(val_size=1797)


def test_mnist_short_run(tmp_path, shared_data):
    """configs/perceptron1958/mnist.yaml on a 5,000-image subset, one pass: well above chance."""
    dm = MNIST(str(shared_data / "mnist"), batch_size=1000, eval_batch_size=10000, val_size=0, train_size=5000,
               normalize="unit", seed=0)  # fmt: skip
    m = Perceptron(inputs=784, num_classes=10)
    tr = trainer(tmp_path, max_epochs=1)
    tr.fit(m, datamodule=dm)
    assert float(tr.callback_metrics["val_accuracy"]) > 0.75
    assert int(m.corrections) > 0 and tr.global_step == 5  # one counted update per chunk


@pytest.mark.parametrize("name", sorted(p.name for p in CONFIGS.glob("*.yaml")))
def test_configs_parse(name):
    testing.check_config_file(CONFIGS / name)
