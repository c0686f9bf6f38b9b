"""backprop1986: the tasks, the paper's update rule, and real training runs that reach the paper's results."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from types import SimpleNamespace

import lightning.pytorch as L
import pytest
import torch
import yaml

from landmark import Plugin
from landmark.datamodules.backprop_tasks import PEOPLE, BackpropTasks, family_tree_cases, task_tensors
from landmark.plugins.backprop1986 import plugin
from landmark.plugins.backprop1986.model import LayeredNet, PaperMomentum

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "configs" / "backprop1986"
LOGGED = {"train_loss", "train_error", "val_loss", "val_error", "sweeps_to_solve"}


@pytest.fixture(autouse=True)
def _quiet():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # what the plugin's configs ask for (threads: 1)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*(num_workers|does not have many workers|LitLogger|litlogger).*")
        yield
    torch.set_num_threads(threads)


class StopWhenSolved(L.Callback):
    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: LayeredNet) -> None:
        if pl_module.solved_at >= 0:
            trainer.should_stop = True


def fit(model: LayeredNet, dm: BackpropTasks, max_epochs: int, ckpt_path: Path | None = None, **kw) -> L.Trainer:
    kw = {
        "accelerator": "cpu", "enable_progress_bar": False, "logger": False, "enable_checkpointing": False,
        "enable_model_summary": False, "log_every_n_steps": 1, "max_epochs": max_epochs, **kw,
    }
    trainer = L.Trainer(**kw)
    trainer.fit(model, datamodule=dm, ckpt_path=ckpt_path)
    return trainer


def from_config(name: str, **data) -> tuple[LayeredNet, BackpropTasks, dict]:
    cfg = yaml.safe_load((CONFIGS / f"{name}.yaml").read_text())
    L.seed_everything(cfg["seed_everything"], verbose=False)
    model = LayeredNet(**cfg["model"]["init_args"])
    dm = BackpropTasks(**{**cfg["data"]["init_args"], **data})
    return model, dm, cfg


# ----- the plugin contract


def test_plugin_contract():
    assert isinstance(plugin, Plugin) and plugin.name == "backprop1986"
    assert plugin.model is LayeredNet and plugin.datamodule is BackpropTasks
    assert plugin.monitor in LOGGED and plugin.mode == "min"
    cfg = plugin.default_config()
    assert cfg["model"]["class_path"] == "landmark.plugins.backprop1986.model.LayeredNet"
    assert cfg["data"]["init_args"]["task"] == "symmetry" and cfg["trainer"]["max_epochs"] == 1425
    assert plugin.card.year == 1986 and plugin.card.results
    for r in plugin.card.results:
        assert r.metric in LOGGED, r
        assert (ROOT / r.config).is_file(), r.config


def test_discovered_through_entry_point():
    from landmark.registry import discover

    reg = discover()
    assert "backprop1986" in reg, [b.reason for b in reg.broken if b.name == "backprop1986"]
    assert reg.get("backprop1986") is plugin
    assert reg.for_model(LayeredNet) is plugin


@pytest.mark.parametrize("name", ["symmetry", "xor", "encoder", "family_trees"])
def test_config_parses_against_signatures(name, monkeypatch):
    from landmark.cli import run

    cli = run(["fit", "--config", str(CONFIGS / f"{name}.yaml"), "--trainer.logger=false",
               "--trainer.enable_progress_bar=false"], run=False)
    assert isinstance(cli.model, LayeredNet) and isinstance(cli.datamodule, BackpropTasks)
    assert cli.datamodule.task == name
    assert cli.model.sizes[0] == cli.datamodule.n_inputs and cli.model.sizes[-1] == cli.datamodule.n_outputs


def test_constructor_args_are_primitive_and_validated():
    hp = LayeredNet().hparams
    assert all(isinstance(v, (str, int, float, bool)) for v in hp.values())
    with pytest.raises(ValueError, match="layers='6-x-1'"):
        LayeredNet(layers="6-x-1")
    with pytest.raises(ValueError, match="input_groups='24\\+10'"):
        LayeredNet(layers="36-12-12-6-24", input_groups="24+10")


# ----- the tasks


def test_tasks():
    x, d = task_tensors("symmetry")
    assert x.shape == (64, 6) and int(d.sum()) == 8  # 2^3 symmetric patterns
    assert bool((d[:, 0] == (x == x.flip(1)).all(1)).all())
    x, d = task_tensors("xor")
    assert d.flatten().tolist() == [0.0, 1.0, 1.0, 0.0]
    x, d = task_tensors("encoder")
    assert torch.equal(x, torch.eye(8)) and torch.equal(d, torch.eye(8))


def test_family_trees():
    x, d, names = family_tree_cases()
    assert x.shape == (104, 36) and d.shape == (104, 24)
    assert bool((x[:, :24].sum(1) == 1).all() and (x[:, 24:].sum(1) == 1).all())
    assert int(d.sum()) == 112  # 8 queries (aunts and uncles of the third generation) have two answers
    assert "Colin has-aunt Jennifer/Margaret" in names  # Fig. 3: "Colin has two aunts"
    assert "Colin has-uncle Arthur/Charles" in names
    assert "Alfonso has-aunt Angela/Gina" in names  # the isomorphic Italian query
    # The two trees are isomorphic: the Italian half of the data is the English half, shifted by 12.
    person, relation = x[:, :24].argmax(1), x[:, 24:].argmax(1)
    facts = {(int(p), int(r), tuple(t.nonzero().flatten().tolist())) for p, r, t in zip(person, relation, d)}
    english = {f for f in facts if f[0] < 12}
    italian = {(p - 12, r, tuple(q - 12 for q in qs)) for p, r, qs in facts if p >= 12}
    assert english == italian and len(english) == 52 and len(PEOPLE) == 24


def test_datamodule_is_deterministic_for_a_seed():
    a, b, c = (BackpropTasks("family_trees", seed=s) for s in (3, 3, 4))
    assert torch.equal(a.val_index, b.val_index) and not torch.equal(a.val_index, c.val_index)
    assert all(torch.equal(u, v) for u, v in zip(a.train_set + a.val_set, b.train_set + b.val_set))
    assert len(a.train_set[0]) == 100 and len(a.val_set[0]) == 4
    assert not set(a.val_index.tolist()) & set(a.train_index.tolist())
    # full batch: one batch per epoch, the whole training set
    batches = list(a.train_dataloader())
    assert len(batches) == 1 and torch.equal(batches[0][0], a.train_set[0])
    sym = BackpropTasks("symmetry")
    assert sym.train_set is sym.val_set  # the paper measures learning of the training set


def test_datamodule_shares_the_sweep_under_ddp():
    dm = BackpropTasks("symmetry")
    shares = []
    for rank in (0, 1):
        dm.trainer = SimpleNamespace(global_rank=rank, world_size=2)
        (batch,) = list(dm.train_dataloader())
        shares.append(batch[0])
    assert [len(s) for s in shares] == [32, 32]
    assert torch.equal(torch.cat(shares).unique(dim=0), dm.train_set[0].unique(dim=0))


# ----- the update rule, eq. (9) and the Fig. 4 weight decay


def test_paper_update_rule():
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    opt = PaperMomentum([w], lr=0.1, momentum=0.9, weight_decay=0.01)
    g0, g1 = torch.tensor([0.5, 1.0]), torch.tensor([-1.0, 2.0])
    w.grad = g0.clone()
    opt.step()
    dw0 = -0.1 * g0
    w_expected = (torch.tensor([1.0, -2.0]) + dw0) * 0.99
    assert torch.allclose(w.data, w_expected)
    opt.param_groups[0]["lr"] = 0.2  # a new eps scales only the new gradient (not SGD's lr * velocity)
    w.grad = g1.clone()
    opt.step()
    dw1 = -0.2 * g1 + 0.9 * dw0
    assert torch.allclose(w.data, (w_expected + dw1) * 0.99)


def test_error_is_half_sum_of_squares_with_tolerance():
    y = torch.tensor([[0.9, 0.1], [0.5, 0.5]])
    d = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    assert torch.isclose(LayeredNet().error(y, d), torch.tensor(0.5 * (0.01 + 0.01 + 0.25 + 0.25)))
    tolerant = LayeredNet(tolerance=0.2)  # family trees: no error above 0.8 / below 0.2
    assert torch.isclose(tolerant.error(y, d), torch.tensor(0.5 * (0.3**2 + 0.3**2)))
    assert int(LayeredNet.wrong(y, d)) == 1


# ----- real training runs


def test_symmetry_reaches_the_papers_solution():
    model, dm, _ = from_config("symmetry")
    budget = 2000  # the paper needed 1,425 sweeps; seed 0 solves at 1307
    trainer = fit(model, dm, max_epochs=budget)
    m = trainer.callback_metrics
    assert 0 < m["sweeps_to_solve"] <= budget and float(m["val_error"]) == 0.0
    y = model(dm.val_set[0])
    assert bool(((y > 0.5) == (dm.val_set[1] > 0.5)).all())  # all 64 patterns right

    W = model.connections[0].weight.detach()  # (2 hidden, 6 inputs)
    b = model.connections[0].bias.detach()
    top_w, top_b = model.connections[1].weight.detach(), model.connections[1].bias.detach()
    for w in W:
        scale = w.abs().max()
        # weights symmetric about the middle are equal in magnitude and opposite in sign
        assert (w + w.flip(0)).abs().max() < 0.05 * scale, w
        # ... and on each side of the midpoint they are in the ratio 1:2:4
        ratio = w[:3].abs().sort().values / w[:3].abs().min()
        assert torch.allclose(ratio, torch.tensor([1.0, 2.0, 4.0]), rtol=0.1), ratio
    assert torch.allclose(W[0], -W[1], rtol=0.05, atol=0.05 * W.abs().max())  # same pattern, opposite signs
    assert bool((b < 0).all()) and float(top_b) > 0 and bool((top_w < 0).all())


@pytest.mark.parametrize("name, budget", [("xor", 2000), ("encoder", 1500)])
def test_xor_and_encoder_are_learned(name, budget):
    model, dm, _ = from_config(name)
    trainer = fit(model, dm, max_epochs=budget, callbacks=[StopWhenSolved()])
    assert 0 < int(model.solved_at) < budget
    assert float(trainer.callback_metrics["val_error"]) == 0.0
    if name == "encoder":  # the three hidden units give the eight patterns eight distinct codes
        h = torch.sigmoid(model.connections[0](dm.train_set[0])).detach()  # (8 patterns, 3 units)
        assert torch.cdist(h, h).add(torch.eye(8)).min() > 0.2


def test_family_trees_train_and_score_the_held_out_triples():
    model, dm, cfg = from_config("family_trees")
    trainer = fit(model, dm, max_epochs=cfg["trainer"]["max_epochs"], check_val_every_n_epoch=100)
    m = trainer.callback_metrics
    assert float(m["train_error"]) <= 0.02  # (nearly) all 100 training triples right
    assert float(m["val_error"]) in (0.0, 0.25, 0.5, 0.75, 1.0)  # the 4 held-out triples, scored
    y = model(dm.val_set[0])
    right = ((y > 0.5) == (dm.val_set[1] > 0.5)).all(1)
    assert float(m["val_error"]) == 1.0 - right.float().mean().item()


# ----- precision, checkpoints, exact resume, DDP


def test_bf16_mixed_and_checkpoint_round_trip(tmp_path):
    L.seed_everything(1, verbose=False)
    model, dm = LayeredNet(layers="36-12-12-6-24", input_groups="24+12", tolerance=0.2), BackpropTasks("family_trees")
    trainer = fit(model, dm, max_epochs=5, precision="bf16-mixed")
    assert torch.isfinite(trainer.callback_metrics["train_loss"])
    path = tmp_path / "net.ckpt"
    trainer.save_checkpoint(path)
    loaded = LayeredNet.load_from_checkpoint(path, weights_only=True)
    assert dict(loaded.hparams) == dict(model.hparams)
    x = dm.val_set[0]
    assert torch.equal(loaded(x), model(x))


def test_resume_is_exact(tmp_path):
    kw = {"layers": "36-12-12-6-24", "input_groups": "24+12", "tolerance": 0.2, "weight_decay": 0.002,
          "warmup_sweeps": 20}
    L.seed_everything(2, verbose=False)
    straight = LayeredNet(**kw)
    fit(straight, BackpropTasks("family_trees"), max_epochs=40)

    L.seed_everything(2, verbose=False)
    first = LayeredNet(**kw)
    trainer = fit(first, BackpropTasks("family_trees"), max_epochs=15)  # stop inside the warm-up
    trainer.save_checkpoint(tmp_path / "mid.ckpt")
    resumed = LayeredNet(**kw)  # fresh weights, replaced by the checkpoint's (and its momentum)
    fit(resumed, BackpropTasks("family_trees"), max_epochs=40, ckpt_path=tmp_path / "mid.ckpt")
    for a, b in zip(straight.parameters(), resumed.parameters()):
        assert torch.equal(a, b)


_DDP_SCRIPT = textwrap.dedent(
    """
    import sys, warnings
    warnings.filterwarnings("ignore")
    import lightning.pytorch as L, torch
    from landmark.plugins.backprop1986.model import LayeredNet
    from landmark.datamodules.backprop_tasks import BackpropTasks
    devices, out = int(sys.argv[1]), sys.argv[2]
    L.seed_everything(0, verbose=False)
    model = LayeredNet()
    trainer = L.Trainer(accelerator="cpu", strategy="ddp" if devices > 1 else "auto", devices=devices, max_epochs=20,
                        enable_progress_bar=False, logger=False, enable_checkpointing=False, enable_model_summary=False)
    trainer.fit(model, datamodule=BackpropTasks("symmetry"))
    if trainer.global_rank == 0:
        torch.save({"state": model.state_dict(), "E": float(trainer.callback_metrics["train_loss"])}, out)
    """
)


@pytest.mark.slow
def test_ddp_two_processes_match_one(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(_DDP_SCRIPT)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    results = []
    for devices in (1, 2):
        out = tmp_path / f"{devices}.pt"
        proc = subprocess.run([sys.executable, str(script), str(devices), str(out)], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        results.append(torch.load(out, weights_only=True))
    one, two = results
    # world_size * E_rank makes the averaged DDP gradient the paper's sum over all 64 cases
    assert abs(one["E"] - two["E"]) < 1e-4 * max(1.0, one["E"])
    for k in one["state"]:
        assert torch.allclose(one["state"][k].float(), two["state"][k].float(), atol=1e-5), k
