"""The third-party package's own tests: landmark's conformance kit, plus the LMS rule itself."""

import pytest
import torch

from landmark import testing
from landmark.registry import registry
from landmark_adaline import Adaline, NoisyPatterns


@pytest.mark.parametrize("check", testing.CHECKS, ids=testing.check_id)
def test_conformance(check, tmp_path):
    check("adaline1960", tmp_path)


def test_discovered_from_its_own_distribution():
    assert registry().origin("adaline1960") == ("landmark-adaline", "1.0.0")


def test_lms_rule_is_widrow_hoff():
    """One pattern: w changes by exactly 2 * mu * e * x (and the bias by 2 * mu * e)."""
    model = Adaline(inputs=4, mu=0.05)
    opt = model.configure_optimizers()
    x, d = torch.tensor([[1.0, -1.0, 1.0, 1.0]]), torch.tensor([1.0])
    w0 = model.linear.weight.detach().clone()
    e = d - model(x)
    opt.zero_grad()
    (e**2).sum().backward()
    opt.step()
    torch.testing.assert_close(model.linear.weight.detach(), w0 + 2 * 0.05 * e.detach() * x)


def test_generalises_to_noisy_patterns(tmp_path):
    cli = testing.run(["fit", *testing.quick_args("adaline1960", tmp_path, batches=10, epochs=3)])
    assert float(cli.trainer.callback_metrics["val_error"]) < 0.1
