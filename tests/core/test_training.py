"""What every run gets: throughput, the checkpoint record, the last/best checkpoints."""

from __future__ import annotations

from pathlib import Path

import lightning.pytorch as L
import pytest
import torch
from lightning.pytorch.callbacks import ModelCheckpoint

from landmark import __version__
from landmark.errors import UsageError
from landmark.training import RECORD_KEY, RunRecord, Throughput, checkpoint_callbacks, read_record


class Tiny(L.LightningModule):
    """One weight; ``val_metric`` is whatever ``val_values`` says for each epoch."""

    def __init__(self, val_values=(1.0,)) -> None:
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))
        self.val_values = list(val_values)

    def training_step(self, batch, batch_idx):
        (x,) = batch
        return ((x * self.w) ** 2).mean() + self.w.sum() * 0

    def validation_step(self, batch, batch_idx):
        v = self.val_values[min(self.current_epoch, len(self.val_values) - 1)]
        self.log("val_metric", torch.tensor(float(v)))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def train_dataloader(self):
        return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.ones(12, 1)), batch_size=4)

    def val_dataloader(self):
        return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.ones(4, 1)), batch_size=4)


def fit(tmp_path: Path, model: Tiny, epochs: int, callbacks=(), ckpt_path=None) -> L.Trainer:
    trainer = L.Trainer(
        max_epochs=epochs,
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        callbacks=list(callbacks),
        default_root_dir=tmp_path,
    )
    trainer.fit(model, ckpt_path=ckpt_path)
    return trainer


def test_checkpoint_callbacks_keep_last_and_best(tmp_path):
    best, last = checkpoint_callbacks(tmp_path / "ck", "val_error", "max")
    assert isinstance(best, ModelCheckpoint) and isinstance(last, ModelCheckpoint)
    assert best.dirpath == last.dirpath == str(tmp_path / "ck")
    assert (best.monitor, best.mode, best.save_top_k, best.save_last) == ("val_error", "max", 1, None)
    assert (last.monitor, last.save_last) == (None, "link")


def test_without_a_monitor_only_the_last_step_is_kept(tmp_path):
    (last,) = checkpoint_callbacks(tmp_path / "ck", None, "min")
    assert last.monitor is None and last.save_last == "link"


def test_best_checkpoint_follows_the_monitored_metric(tmp_path):
    cbs = checkpoint_callbacks(tmp_path / "ck", "val_metric", "min")
    fit(tmp_path, Tiny([3.0, 1.0, 2.0]), 3, cbs)
    (best,) = (tmp_path / "ck").glob("best-*.ckpt")
    assert best.name == "best-1-6.ckpt"  # epoch 1 (val 1.0), 3 steps per epoch
    assert (tmp_path / "ck" / "last.ckpt").is_file()


def test_last_checkpoint_is_the_last_step_even_without_improvement(tmp_path):
    cbs = checkpoint_callbacks(tmp_path / "ck", "val_metric", "min")
    trainer = fit(tmp_path, Tiny([1.0, 2.0, 2.0]), 3, cbs)  # best at epoch 0
    last = torch.load(tmp_path / "ck" / "last.ckpt", weights_only=True)
    assert last["global_step"] == trainer.global_step == 9


def test_throughput_logs_samples_per_sec(tmp_path):
    trainer = fit(tmp_path, Tiny(), 1, [Throughput()])
    assert float(trainer.callback_metrics["samples_per_sec"]) > 0


def test_throughput_counts_samples_not_batches(tmp_path, monkeypatch):
    times = iter([100.0, 102.0])  # epoch start, epoch end: 2 seconds
    monkeypatch.setattr("landmark.training.time.perf_counter", lambda: next(times))
    trainer = fit(tmp_path, Tiny(), 1, [Throughput()])
    assert float(trainer.callback_metrics["samples_per_sec"]) == pytest.approx(12 / 2)


def test_throughput_ignores_batches_without_tensors():
    t = Throughput()
    t.on_train_batch_end(None, None, None, {"names": ["a", "b"]}, 0)
    assert t._samples == 0


def test_run_record_goes_into_the_checkpoint(tmp_path):
    rec = RunRecord("myplugin", "my-dist", "1.2.3", "model: {}\n")
    ckpt: dict = {}
    rec.on_save_checkpoint(None, None, ckpt)
    assert ckpt[RECORD_KEY] == {
        "plugin": "myplugin",
        "distribution": "my-dist",
        "version": "1.2.3",
        "landmark_version": __version__,
        "config": "model: {}\n",
    }
    ckpt[RECORD_KEY]["plugin"] = "changed"  # each checkpoint gets its own copy
    assert rec.record["plugin"] == "myplugin"


def test_run_record_survives_a_real_checkpoint(tmp_path):
    cbs = checkpoint_callbacks(tmp_path / "ck", "val_metric", "min")
    fit(tmp_path, Tiny(), 1, [*cbs, RunRecord("p", "d", "0", "trainer:\n  max_epochs: 1\n")])
    record = read_record(tmp_path / "ck" / "last.ckpt")
    assert record["plugin"] == "p" and record["config"] == "trainer:\n  max_epochs: 1\n"


def test_read_record(tmp_path):
    torch.save({"state_dict": {}, RECORD_KEY: {"plugin": "p", "config": "a: 1\n"}}, tmp_path / "with.ckpt")
    torch.save({"state_dict": {}}, tmp_path / "without.ckpt")
    torch.save(torch.zeros(2), tmp_path / "tensor.ckpt")
    torch.save({RECORD_KEY: "not a mapping"}, tmp_path / "odd.ckpt")
    assert read_record(tmp_path / "with.ckpt") == {"plugin": "p", "config": "a: 1\n"}
    assert read_record(str(tmp_path / "without.ckpt")) is None
    assert read_record(tmp_path / "tensor.ckpt") is None
    assert read_record(tmp_path / "odd.ckpt") is None


def test_read_record_refuses_what_weights_only_cannot_load(tmp_path):
    torch.save({"obj": Throughput()}, tmp_path / "unsafe.ckpt")
    with pytest.raises(UsageError, match="unsafe.ckpt.*cannot be loaded safely"):
        read_record(tmp_path / "unsafe.ckpt")


def test_read_record_of_garbage(tmp_path):
    (tmp_path / "junk.ckpt").write_text("hello")
    with pytest.raises(UsageError, match="junk.ckpt"):
        read_record(tmp_path / "junk.ckpt")


class TinyConv(L.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3)
        self.head = torch.nn.Linear(8, 2)

    def forward(self, x):
        return self.head(self.conv(x).mean((2, 3)))


def test_memory_format_auto_puts_conv_nets_channels_last():
    from landmark.training import MemoryFormat

    model = TinyConv()
    x = torch.randn(4, 3, 10, 10)
    before = model(x)
    cb = MemoryFormat("auto")
    cb.setup(None, model, "fit")
    assert cb.chosen == "channels_last"
    assert model.conv.weight.is_contiguous(memory_format=torch.channels_last)
    assert not model.conv.weight.is_contiguous()  # really NHWC, not merely both
    torch.testing.assert_close(model(x), before)  # same function, other layout


def test_memory_format_leaves_other_models_and_obeys_the_user():
    from landmark.training import MemoryFormat

    assert MemoryFormat.choose(Tiny()) == "contiguous"
    model = TinyConv()
    cb = MemoryFormat("contiguous")
    cb.setup(None, model, "fit")
    assert model.conv.weight.is_contiguous()
    with pytest.raises(ValueError, match="channels_last"):
        MemoryFormat("nhwc")
