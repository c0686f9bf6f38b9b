"""Dataset files found offline first, checked by sha256; in-memory batches by indexing."""

from __future__ import annotations

import hashlib
import itertools

import lightning.pytorch as L
import pytest
import torch

from landmark.data import DataFile, DataNotFound, TensorBatches, cache_dir, find_files, sha256

# --- find_files ---------------------------------------------------------------------------------


def put(folder, name: str, content: bytes) -> DataFile:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    return DataFile(name, hashlib.sha256(content).hexdigest())


@pytest.fixture
def cache(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv("LANDMARK_DATA_DIR", str(root))
    return root


def test_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LANDMARK_DATA_DIR", str(tmp_path / "d"))
    assert cache_dir("mnist") == tmp_path / "d" / "mnist"
    monkeypatch.delenv("LANDMARK_DATA_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir("mnist") == tmp_path / "xdg" / "landmark" / "mnist"


def test_sha256(tmp_path):
    (tmp_path / "f").write_bytes(b"abc")
    assert sha256(tmp_path / "f") == hashlib.sha256(b"abc").hexdigest()


def test_data_dir_comes_first(tmp_path, cache):
    files = [put(tmp_path / "mine", "a.bin", b"A"), put(tmp_path / "mine", "b.bin", b"B")]
    put(cache / "ds", "a.bin", b"A")
    put(cache / "ds", "b.bin", b"B")
    found = find_files("ds", files, data_dir=tmp_path / "mine")
    assert found == {"a.bin": tmp_path / "mine" / "a.bin", "b.bin": tmp_path / "mine" / "b.bin"}


def test_data_dir_may_hold_the_dataset_folder(tmp_path, cache):
    files = [put(tmp_path / "mine" / "ds", "a.bin", b"A")]
    assert find_files("ds", files, data_dir=tmp_path / "mine") == {"a.bin": tmp_path / "mine" / "ds" / "a.bin"}


def test_then_the_cache_then_system_folders(tmp_path, cache):
    files = [put(tmp_path / "system", "a.bin", b"A")]
    assert find_files("ds", files, system_dirs=[tmp_path / "system"]) == {"a.bin": tmp_path / "system" / "a.bin"}
    put(cache / "ds", "a.bin", b"A")
    assert find_files("ds", files, system_dirs=[tmp_path / "system"]) == {"a.bin": cache / "ds" / "a.bin"}


def test_all_files_must_come_from_one_folder(tmp_path, cache):
    a = put(tmp_path / "one", "a.bin", b"A")
    b = put(tmp_path / "two", "b.bin", b"B")
    with pytest.raises(DataNotFound):
        find_files("ds", [a, b], data_dir=tmp_path / "one", system_dirs=[tmp_path / "two"])


def test_a_copy_with_the_wrong_checksum_is_never_used(tmp_path, cache):
    good = put(tmp_path / "good", "a.bin", b"A")
    put(tmp_path / "bad", "a.bin", b"tampered")
    found = find_files("ds", [good], data_dir=tmp_path / "bad", system_dirs=[tmp_path / "good"])
    assert found == {"a.bin": tmp_path / "good" / "a.bin"}


def test_not_found_says_what_is_needed_and_where(tmp_path, cache):
    want = DataFile("train.idx", hashlib.sha256(b"real").hexdigest())
    put(tmp_path / "bad", "train.idx", b"tampered")
    with pytest.raises(DataNotFound) as info:
        find_files("ds", [want], data_dir=tmp_path / "bad", system_dirs=[tmp_path / "nowhere"])
    msg = str(info.value)
    assert "dataset 'ds' not found" in msg
    assert f"train.idx  sha256 {want.sha256}" in msg
    for folder in (tmp_path / "bad", cache / "ds", tmp_path / "nowhere"):
        assert str(folder) in msg
    assert "checksum mismatch" in msg and str(tmp_path / "bad" / "train.idx") in msg
    assert f"put them in {cache / 'ds'}" in msg
    assert isinstance(info.value, FileNotFoundError)


# --- TensorBatches ------------------------------------------------------------------------------


def one_epoch(tb: TensorBatches) -> list[list[int]]:
    return [b[0].tolist() for b in tb]


def test_batches_in_order_without_shuffle():
    tb = TensorBatches([torch.arange(10), torch.arange(10) * 10], batch_size=4)
    assert len(tb) == 3
    batches = list(tb)
    assert [b[0].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert [b[1].tolist() for b in batches] == [[0, 10, 20, 30], [40, 50, 60, 70], [80, 90]]


def test_drop_last():
    tb = TensorBatches([torch.arange(10)], batch_size=4, drop_last=True)
    assert len(tb) == 2 and one_epoch(tb) == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_shuffle_is_a_seeded_permutation():
    a = one_epoch(TensorBatches([torch.arange(20)], 5, shuffle=True, seed=3))
    b = one_epoch(TensorBatches([torch.arange(20)], 5, shuffle=True, seed=3))
    c = one_epoch(TensorBatches([torch.arange(20)], 5, shuffle=True, seed=4))
    assert a == b != c
    assert sorted(sum(a, [])) == list(range(20))


def test_each_full_pass_is_a_new_epoch_order():
    tb = TensorBatches([torch.arange(20)], 5, shuffle=True)
    first, second = one_epoch(tb), one_epoch(tb)
    assert first != second and sorted(sum(second, [])) == list(range(20))
    # epochs count from 0: the second pass (epoch 1) was served to its end
    assert tb.state_dict() == {"epoch": 1, "batches_seen": 4}
    resumed = TensorBatches([torch.arange(20)], 5, shuffle=True)
    resumed.load_state_dict(tb.state_dict())
    assert one_epoch(resumed) == one_epoch(tb)  # both now serve epoch 2


@pytest.mark.parametrize("n, world", [(10, 2), (11, 2), (10, 3), (7, 4)])
def test_ranks_split_the_data_evenly(n, world):
    ranks = [TensorBatches([torch.arange(n)], 2, shuffle=True, seed=1, rank=r, world_size=world) for r in range(world)]
    epochs = [sum(one_epoch(tb), []) for tb in ranks]
    assert len({len(tb) for tb in ranks}) == 1  # same number of batches on every rank
    assert len({len(e) for e in epochs}) == 1
    assert set(sum(epochs, [])) == set(range(n))  # together they see everything
    assert len(sum(epochs, [])) - n < world  # padded by wrapping, at most world-1 repeats


def test_resume_mid_epoch_continues_the_same_order():
    full = one_epoch(TensorBatches([torch.arange(20)], 4, shuffle=True, seed=7))
    tb = TensorBatches([torch.arange(20)], 4, shuffle=True, seed=7)
    it = iter(tb)
    seen = [next(it)[0].tolist() for _ in range(2)]
    state = tb.state_dict()
    assert state == {"epoch": 0, "batches_seen": 2}

    resumed = TensorBatches([torch.arange(20)], 4, shuffle=True, seed=7)
    resumed.load_state_dict(state)
    assert seen + one_epoch(resumed) == full
    assert resumed.state_dict() == {"epoch": 0, "batches_seen": 5}  # epoch 0 served to its end


def test_bad_arguments():
    with pytest.raises(ValueError, match="batch_size"):
        TensorBatches([torch.arange(4)], 0)
    with pytest.raises(ValueError, match="same first dimension"):
        TensorBatches([torch.arange(4), torch.arange(5)], 2)



def test_an_epoch_that_stops_at_len_still_advances():
    tb = TensorBatches([torch.arange(20)], 5, shuffle=True)
    first = [b[0].tolist() for b in itertools.islice(iter(tb), len(tb))]  # how Lightning iterates
    second = [b[0].tolist() for b in itertools.islice(iter(tb), len(tb))]
    assert first != second


def test_shuffle_changes_every_epoch_under_lightning(tmp_path):
    firsts: list[list[int]] = []

    class Model(L.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))

        def training_step(self, batch, batch_idx):
            if batch_idx == 0:
                firsts.append(batch[0].tolist())
            return self.w.sum() * 0

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

        def train_dataloader(self):
            return TensorBatches([torch.arange(40)], 8, shuffle=True)

    L.Trainer(
        max_epochs=3, logger=False, enable_progress_bar=False, enable_model_summary=False,
        enable_checkpointing=False, default_root_dir=tmp_path,
    ).fit(Model())
    assert len(firsts) == 3
    assert len({tuple(f) for f in firsts}) == 3, firsts
