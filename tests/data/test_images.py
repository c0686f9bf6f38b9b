"""Image DataModules on their real data (MNIST, Fashion-MNIST from Debian's package, Omniglot,
the raccoon VOC set) or on small files written in the dataset's own format (CIFAR-10 batches,
a folder of generated images): shapes, labels, splits, seeded determinism, DDP shards, resume."""

from __future__ import annotations

import os
import pickle
import shutil
import tarfile
from pathlib import Path
from types import SimpleNamespace

import lightning.pytorch as L
import numpy as np
import pytest
import torch

from landmark.data import DataNotFound
from landmark.datasets import Dataset

# --- helpers --------------------------------------------------------------------------------------


def trainer_stub(rank: int = 0, world_size: int = 1, epoch: int = 0) -> SimpleNamespace:
    """What the DataModules read from ``self.trainer``: rank, world size, epoch, device."""
    return SimpleNamespace(
        global_rank=rank, world_size=world_size, current_epoch=epoch, strategy=SimpleNamespace(root_device=torch.device("cpu"))
    )


def sharded(dm: L.LightningDataModule, loader: str, world_size: int = 2) -> list[list]:
    """The batches each rank gets from ``dm.<loader>()``."""
    out = []
    for rank in range(world_size):
        dm.trainer = trainer_stub(rank, world_size)
        out.append(list(getattr(dm, loader)()))
    dm.trainer = None
    return out


def same(a, b) -> bool:
    """Equal nested batches (tensors, lists, dicts)."""
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and torch.equal(a, b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def check_resume(make_loader, stop: int) -> None:
    """A loader restored from its state after ``stop`` batches serves what the first would have."""
    first = make_loader()
    full = list(first)
    it, seen = make_loader(), []
    for i, batch in enumerate(it):
        seen.append(batch)
        if i + 1 == stop:
            state = it.state_dict()
            break
    resumed = make_loader()
    resumed.load_state_dict(state)
    assert same(seen + list(resumed), full)


def write_cifar(folder: Path, per_batch: int = 12, seed: int = 0) -> dict[str, tuple[np.ndarray, list[int]]]:
    """A small CIFAR-10 in the official python format: pickled dicts with bytes keys."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8)
        labels = rng.integers(0, 10, per_batch).tolist()
        with open(folder / name, "wb") as f:
            pickle.dump({b"batch_label": name.encode(), b"labels": labels, b"data": data, b"filenames": [b"x.png"] * per_batch}, f, protocol=2)
        written[name] = (data, labels)
    names = [b"airplane", b"automobile", b"bird", b"cat", b"deer", b"dog", b"frog", b"horse", b"ship", b"truck"]
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({b"label_names": names, b"num_cases_per_batch": per_batch, b"num_vis": 3072}, f, protocol=2)
    return written


def write_images(root: Path, counts: dict[str, int], seed: int = 0) -> None:
    """Class folders of small generated images in several formats and sizes."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    for c, (name, n) in enumerate(counts.items()):
        (root / name / "sub").mkdir(parents=True, exist_ok=True)
        for i in range(n):
            h, w = 20 + 3 * i, 26 + 2 * c
            a = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
            ext = ("png", "jpg", "bmp")[i % 3]
            folder = root / name / ("sub" if i % 4 == 3 else "")
            Image.fromarray(a).save(folder / f"img{i}.{ext}")
    (root / "notes.txt").write_text("not a class")


@pytest.fixture(scope="module")
def mnist():
    from landmark.datamodules.mnist import MNIST

    dm = MNIST(val_size=0)
    dm.setup()
    return dm


# --- declarations ---------------------------------------------------------------------------------


def test_every_module_declares_its_datasets():
    from landmark.datamodules import cifar10, mnist, omniglot, voc

    declared = [*mnist.DATASETS, cifar10.DATASET, omniglot.DATASET, voc.DATASET]
    assert [d.name for d in declared] == ["mnist", "fashion-mnist", "fashion-mnist-debian", "cifar10", "omniglot", "raccoon"]
    for d in declared:
        assert isinstance(d, Dataset) and d.title and d.source and d.license and d.citation and d.size
        assert d.files and all(len(f.sha256) == 64 and f.size for f in d.files)
    assert mnist.FASHION_MNIST_DATASETS[1].system_dirs == ("/usr/share/datasets/fashion-mnist",)
    assert len(voc.DATASET.files) == 401  # 200 images, 200 XML, LICENSE


def test_datamodules_parse_as_cli_arguments(tmp_path):
    """Every constructor argument is typed, so jsonargparse (LightningCLI) can build them."""
    from jsonargparse import ArgumentParser

    from landmark.datamodules.cifar10 import CIFAR10
    from landmark.datamodules.imagefolder import ImageFolder
    from landmark.datamodules.mnist import MNIST, FashionMNIST
    from landmark.datamodules.omniglot import Omniglot
    from landmark.datamodules.voc import VOCDetection

    for cls, args in [
        (MNIST, ["--data.normalize=lenet5", "--data.pad=2"]), (FashionMNIST, []), (CIFAR10, ["--data.verify=false"]),
        (ImageFolder, ["--data.root=x", "--data.augment=random_resized_crop"]), (Omniglot, ["--data.n_way=20"]),
        (VOCDetection, ["--data.classes=[raccoon]"]),
    ]:
        parser = ArgumentParser(exit_on_error=False)
        parser.add_class_arguments(cls, "data")
        dm = parser.instantiate(parser.parse_args(args)).data
        assert type(dm) is cls
    with pytest.raises(Exception):
        parser = ArgumentParser(exit_on_error=False)
        parser.add_class_arguments(MNIST, "data")
        parser.parse_args(["--data.normalize=fancy"])


def test_data_can_live_on_the_training_device(tmp_path, image_root):
    """With ``on_device`` the sets move to the trainer's accelerator (here the meta device) and
    batches are made there."""
    from landmark.datamodules.cifar10 import CIFAR10
    from landmark.datamodules.imagefolder import ImageFolder
    from landmark.datamodules.omniglot import Omniglot

    write_cifar(tmp_path / "cifar-10-batches-py")
    stub = trainer_stub()
    stub.strategy.root_device = torch.device("meta")
    cifar = CIFAR10(data_dir=str(tmp_path), verify=False, val_size=0, batch_size=8)
    folder = ImageFolder(str(image_root), image_size=16, crop_size=12, augment="random_resized_crop", pca_lighting=0.1)
    omniglot = Omniglot(meta_batch_size=2, train_batches=1)
    for dm in (cifar, folder, omniglot):
        dm.setup()
        dm.trainer = stub
        batch = next(iter(dm.train_dataloader()))
        assert all(t.device.type == "meta" for t in batch)
    assert cifar.val_set is cifar.test_set  # moved once


# --- MNIST and Fashion-MNIST ----------------------------------------------------------------------


def test_mnist_loads_the_real_files(mnist):
    train_x, train_y = mnist.train_set
    test_x, test_y = mnist.test_set
    assert train_x.shape == (60000, 1, 28, 28) and train_x.dtype == torch.uint8
    assert test_x.shape == (10000, 1, 28, 28) and test_y.dtype == torch.int64
    # Counts and first labels as the dataset's SOURCE.md lists them.
    assert train_y.bincount().tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert test_y.bincount().tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert train_y[:5].tolist() == [5, 0, 4, 1, 9] and test_y[:5].tolist() == [7, 2, 1, 0, 4]
    assert mnist.mean[0] == pytest.approx(0.1307, abs=1e-4) and mnist.std[0] == pytest.approx(0.3081, abs=1e-4)
    assert mnist.val_set is mnist.test_set  # val_size 0: validate on the test set, as the paper
    x, y = next(iter(mnist.test_dataloader()))
    assert x.shape == (1000, 1, 28, 28) and x.dtype == torch.float32 and torch.equal(y, test_y[:1000])
    assert abs(float(x.mean())) < 0.1 and float(x.std()) == pytest.approx(1, abs=0.1)


def test_lenet5_input_is_padded_to_32_with_the_papers_levels():
    from landmark.datamodules.mnist import MNIST

    dm = MNIST(normalize="lenet5", pad=2, val_size=0)
    dm.setup()
    assert dm.image_shape == (1, 32, 32) and dm.train_set[0].shape == (60000, 1, 32, 32)
    x, _ = next(iter(dm.test_dataloader()))
    assert x.shape == (1000, 1, 32, 32)
    border = torch.cat([x[..., :2, :].flatten(), x[..., -2:, :].flatten(), x[..., :2].flatten(), x[..., -2:].flatten()])
    assert torch.allclose(border, torch.tensor(-0.1))  # background (white) is -0.1
    assert float(x.min()) == pytest.approx(-0.1) and float(x.max()) == pytest.approx(1.175)  # ink (black) is 1.175


def test_mnist_resize_and_other_normalisations():
    from landmark.datamodules.mnist import MNIST

    dm = MNIST(resize=16, normalize="symmetric", val_size=0, eval_batch_size=64)
    dm.setup()
    x, _ = next(iter(dm.test_dataloader()))
    assert x.shape == (64, 1, 16, 16) and float(x.min()) >= -1 and float(x.max()) <= 1
    assert float(x.min()) == -1  # background


def test_validation_split_and_subsets_are_seeded():
    from landmark.datamodules.mnist import MNIST

    a, b, c = MNIST(val_size=5000, seed=1), MNIST(val_size=5000, seed=1), MNIST(val_size=5000, seed=2)
    for dm in (a, b, c):
        dm.setup()
    assert len(a.train_set[0]) == 55000 and len(a.val_set[0]) == 5000
    assert torch.equal(a.val_set[0], b.val_set[0]) and not torch.equal(a.val_set[0], c.val_set[0])
    # Train and validation together are the 60,000 training images (label counts add up).
    counts = a.train_set[1].bincount(minlength=10) + a.val_set[1].bincount(minlength=10)
    assert counts.tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert a.test_set[0].shape[0] == 10000
    # Subsets for a data-size sweep are nested: the 1k images are among the 5k.
    small, large = MNIST(val_size=5000, train_size=1000, seed=1), MNIST(val_size=5000, train_size=5000, seed=1)
    small.setup(), large.setup()
    s = {bytes(t.numpy()) for t in small.train_set[0]}
    assert len(small.train_set[0]) == 1000 and s <= {bytes(t.numpy()) for t in large.train_set[0]}


def test_mnist_shuffle_is_seeded_and_ranks_get_disjoint_equal_shards():
    from landmark.datamodules.mnist import MNIST

    def labels_in_order(seed):
        dm = MNIST(val_size=0, train_size=2000, batch_size=100, seed=seed)
        dm.setup()
        return dm, torch.cat([y for _, y in dm.train_dataloader()])

    dm, first = labels_in_order(3)
    assert torch.equal(first, labels_in_order(3)[1]) and not torch.equal(first, labels_in_order(4)[1])
    # Mark each image by its position, then see which ones each rank serves.
    dm.train_set = (dm.train_set[0], torch.arange(2000))
    r0, r1 = sharded(dm, "train_dataloader")
    ids0, ids1 = torch.cat([y for _, y in r0]), torch.cat([y for _, y in r1])
    assert len(r0) == len(r1) == 10 and len(ids0) == len(ids1) == 1000
    assert not set(ids0.tolist()) & set(ids1.tolist()) and set(ids0.tolist()) | set(ids1.tolist()) == set(range(2000))


def test_fashion_mnist_comes_from_debians_package():
    from landmark.datamodules.mnist import FashionMNIST

    folder = Path("/usr/share/datasets/fashion-mnist")
    if not folder.is_dir():
        pytest.fail("Fashion-MNIST needs Debian's package: apt-get install dataset-fashion-mnist (make test does)")
    dm = FashionMNIST(val_size=0)
    assert {p.parent for p in dm.locate().values()} == {folder}
    dm.setup()
    assert dm.train_set[0].shape == (60000, 1, 28, 28) and dm.test_set[0].shape == (10000, 1, 28, 28)
    assert dm.train_set[1].bincount().tolist() == [6000] * 10 and dm.test_set[1].bincount().tolist() == [1000] * 10
    assert dm.mean[0] == pytest.approx(0.2860, abs=1e-4) and dm.std[0] == pytest.approx(0.3530, abs=1e-4)
    assert dm.classes[9] == "Ankle boot" and dm.num_classes == 10


def test_missing_mnist_names_the_files(tmp_path, monkeypatch):
    from landmark.datamodules.mnist import MNIST

    monkeypatch.setenv("LANDMARK_DATA_DIR", str(tmp_path / "empty"))
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "train-images-idx3-ubyte.gz").write_bytes(b"truncated")
    with pytest.raises(DataNotFound) as info:
        MNIST(data_dir=str(tmp_path / "mine")).setup()
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message and "t10k-labels-idx1-ubyte.gz" in message and "mine" in message


def test_mnist_from_a_data_dir_copy(tmp_path, shared_data):
    from landmark.datamodules.mnist import MNIST, read_idx

    for f in (shared_data / "mnist").glob("*.gz"):
        shutil.copy(f, tmp_path / f.name)
    dm = MNIST(data_dir=str(tmp_path))
    assert {p.parent for p in dm.locate().values()} == {tmp_path}
    assert read_idx(tmp_path / "t10k-labels-idx1-ubyte.gz").shape == (10000,)
    (tmp_path / "bad.idx").write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 9, 1, 2]))
    with pytest.raises(ValueError, match="payload"):
        read_idx(tmp_path / "bad.idx")


# --- CIFAR-10 -------------------------------------------------------------------------------------


def test_cifar10_reads_its_batch_format(tmp_path):
    from landmark.datamodules.cifar10 import CIFAR10

    written = write_cifar(tmp_path / "cifar-10-batches-py")
    dm = CIFAR10(data_dir=str(tmp_path), verify=False, val_size=10, batch_size=8, eval_batch_size=100)
    dm.setup()
    assert len(dm.train_set[0]) == 50 and len(dm.val_set[0]) == 10 and len(dm.test_set[0]) == 12
    assert dm.train_set[0].shape[1:] == (3, 32, 32) and dm.classes[0] == "airplane"
    data, labels = written["test_batch"]
    test_x, test_y = dm.test_set
    assert test_y.tolist() == labels
    # Rows hold the red, then green, then blue 32x32 planes.
    assert torch.equal(test_x[0, 0], torch.from_numpy(data[0, :1024].reshape(32, 32)))
    assert torch.equal(test_x[0, 2], torch.from_numpy(data[0, 2048:].reshape(32, 32)))
    x, y = next(iter(dm.test_dataloader()))
    assert x.shape == (12, 3, 32, 32) and x.dtype == torch.float32
    expected = (test_x.float() / 255 - dm.mean) / dm.std
    assert torch.allclose(x, expected, atol=1e-5)  # evaluation: normalised, not augmented
    # The per-channel statistics are those of the training split.
    train = dm.train_set[0].float() / 255
    assert torch.allclose(dm.mean.flatten(), train.mean((0, 2, 3)), atol=1e-5)


def test_cifar10_checksums_and_the_archive(tmp_path, monkeypatch):
    from landmark.datamodules.cifar10 import CIFAR10

    monkeypatch.setenv("LANDMARK_DATA_DIR", str(tmp_path / "cache"))
    write_cifar(tmp_path / "own" / "cifar-10-batches-py")
    with pytest.raises(DataNotFound, match="verify: false") as info:
        CIFAR10(data_dir=str(tmp_path / "own")).setup()  # home-made files fail the md5 check
    assert "cifar-10-python.tar.gz" in str(info.value) and "md5 mismatch" in str(info.value)
    (tmp_path / "tar").mkdir()
    with tarfile.open(tmp_path / "tar" / "cifar-10-python.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "own" / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    with pytest.raises(DataNotFound):
        CIFAR10(data_dir=str(tmp_path / "tar")).setup()  # wrong sha256
    from_tar = CIFAR10(data_dir=str(tmp_path / "tar"), verify=False, val_size=0)
    from_dir = CIFAR10(data_dir=str(tmp_path / "own"), verify=False, val_size=0)
    from_tar.setup(), from_dir.setup()
    assert from_tar.locate().name == "cifar-10-python.tar.gz"
    assert same(from_tar.train_set, from_dir.train_set) and same(from_tar.test_set, from_dir.test_set)


def test_cifar10_pickles_cannot_run_code(tmp_path):
    from landmark.datamodules.cifar10 import read_batch

    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    with pytest.raises(ValueError, match="refusing to load"):
        read_batch(pickle.dumps({b"data": Evil(), b"labels": []}))
    assert not marker.exists()
    with pytest.raises(ValueError, match="uint8"):
        read_batch(pickle.dumps({b"data": np.zeros((2, 3072), np.float32), b"labels": [0, 1]}))
    images, labels = read_batch(pickle.dumps({"data": np.zeros((2, 3072), np.uint8), "labels": [0, 1]}, protocol=5))
    assert images.shape == (2, 3, 32, 32) and labels.tolist() == [0, 1]


def test_cifar10_augmentation_is_batched_seeded_and_resumable(tmp_path):
    from landmark.datamodules.cifar10 import CIFAR10

    write_cifar(tmp_path / "cifar-10-batches-py", per_batch=20)

    def make(**kw):
        dm = CIFAR10(data_dir=str(tmp_path), verify=False, val_size=0, batch_size=16, **kw)
        dm.setup()
        return dm

    a, b, plain = make(seed=5), make(seed=5), make(seed=5, crop_padding=0, hflip=False)
    xa, xb, xp = next(iter(a.train_dataloader()))[0], next(iter(b.train_dataloader()))[0], next(iter(plain.train_dataloader()))[0]
    assert xa.shape == (16, 3, 32, 32) and torch.equal(xa, xb) and not torch.equal(xa, xp)
    # Each augmented image is a window of the plain one padded by 4 black pixels, maybe mirrored.
    assert all(_crop_matches(xp[i], xa[i], a) for i in range(16))
    # Epochs differ; a loader restored mid-epoch replays the same augmented batches.
    loader = a.train_dataloader()
    e0, e1 = list(loader), list(loader)
    assert not same(e0, e1)
    check_resume(a.train_dataloader, stop=3)


def _crop_matches(plain: torch.Tensor, aug: torch.Tensor, dm) -> bool:
    padded = ((0 - dm.mean) / dm.std).expand(3, 40, 40).clone()  # black, normalised
    padded[:, 4:36, 4:36] = plain
    for dy in range(9):
        for dx in range(9):
            w = padded[:, dy : dy + 32, dx : dx + 32]
            if torch.allclose(w, aug, atol=1e-5) or torch.allclose(w.flip(-1), aug, atol=1e-5):
                return True
    return False


def test_cifar10_resumes_mid_epoch_in_a_trainer(tmp_path):
    """Lightning saves the loader's position; the resumed run sees the batches of an unbroken one."""
    from landmark.datamodules.cifar10 import CIFAR10

    write_cifar(tmp_path / "data" / "cifar-10-batches-py", per_batch=16)

    class Recorder(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))
            self.seen: list[float] = []

        def training_step(self, batch, i):
            x, y = batch
            self.seen.append(float(x.sum()) + float(y.sum()) * 1e-3)
            return (self.w * x.mean()).sum()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.0)

    def run(max_steps, ckpt=None, every=None):
        dm = CIFAR10(data_dir=str(tmp_path / "data"), verify=False, val_size=0, batch_size=8, seed=1)
        model = Recorder()
        cb = [L.callbacks.ModelCheckpoint(dirpath=tmp_path / "ck", every_n_train_steps=every, save_top_k=-1)] if every else []
        trainer = L.Trainer(
            max_steps=max_steps, max_epochs=3, limit_val_batches=0, logger=False, enable_progress_bar=False,
            enable_model_summary=False, enable_checkpointing=bool(every), callbacks=cb, accelerator="cpu", devices=1,
        )
        trainer.fit(model, datamodule=dm, ckpt_path=ckpt)
        return model.seen

    full = run(max_steps=24)  # 3 epochs of 8 batches
    head = run(max_steps=12, every=12)  # stops in the middle of epoch 2
    (ckpt,) = (tmp_path / "ck").glob("*.ckpt")
    tail = run(max_steps=24, ckpt=str(ckpt))
    assert len(full) == 24 and head + tail == full


# --- ImageFolder ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def image_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("images")
    write_images(root, {"cat": 10, "dog": 12, "emu": 8})
    return root


def test_imagefolder_reads_generated_images(image_root):
    from landmark.datamodules.imagefolder import ImageFolder

    dm = ImageFolder(str(image_root), image_size=24, crop_size=20, val_fraction=0.25, batch_size=8, eval_batch_size=100)
    dm.setup()
    assert dm.classes == ["cat", "dog", "emu"] and dm.num_classes == 3 and dm.image_shape == (3, 20, 20)
    train_y, val_y = dm.splits["train"][1], dm.splits["val"][1]
    assert val_y.bincount().tolist() == [2, 3, 2] and train_y.bincount().tolist() == [8, 9, 6]  # stratified
    assert not set(dm.splits["train"][0]) & set(dm.splits["val"][0])
    assert dm.memory["train"][0].shape == (23, 3, 24, 24) and dm.memory["train"][0].dtype == torch.uint8
    batches = list(dm.train_dataloader())
    assert [len(y) for _, y in batches] == [8, 8, 7] and batches[0][0].shape == (8, 3, 20, 20)
    x, y = next(iter(dm.val_dataloader()))
    assert x.shape == (7, 3, 20, 20) and torch.equal(y, val_y)
    # The same split and crops for the same seed; another seed splits differently.
    again = ImageFolder(str(image_root), image_size=24, crop_size=20, val_fraction=0.25, batch_size=8)
    again.setup()
    assert same(list(again.train_dataloader()), batches)
    other = ImageFolder(str(image_root), image_size=24, crop_size=20, val_fraction=0.25, seed=1)
    other.setup()
    assert other.splits["val"][0] != dm.splits["val"][0]


@pytest.mark.parametrize("augment", ["crop_flip", "random_resized_crop", "none"])
def test_imagefolder_from_disk_serves_what_memory_serves(image_root, augment):
    from landmark.datamodules.imagefolder import ImageFolder

    kw = dict(image_size=24, crop_size=20, augment=augment, batch_size=8, pca_lighting=0.1, seed=2)
    memory, disk = ImageFolder(str(image_root), **kw), ImageFolder(str(image_root), in_memory=False, **kw)
    memory.setup(), disk.setup()
    assert same(list(disk.train_dataloader()), list(memory.train_dataloader()))
    assert same(list(disk.val_dataloader()), list(memory.val_dataloader()))


def test_imagefolder_workers_shards_and_resume(image_root):
    from landmark.datamodules.imagefolder import ImageFolder

    kw = dict(image_size=16, crop_size=16, batch_size=4, val_fraction=0.0, augment="flip")
    workers = ImageFolder(str(image_root), in_memory=False, num_workers=2, persistent_workers=True, **kw)
    memory = ImageFolder(str(image_root), **kw)
    workers.setup(), memory.setup()
    loader = workers.train_dataloader()
    assert same(list(loader), list(memory.train_dataloader()))
    assert len(list(loader)) == 8  # a second epoch through the same persistent workers
    assert workers.val_dataloader() == []  # val_fraction 0: nothing to validate on
    check_resume(workers.train_dataloader, stop=3)
    # DDP: each rank gets half the images, none twice.
    memory.memory["train"] = (memory.memory["train"][0], torch.arange(30))
    r0, r1 = sharded(memory, "train_dataloader")
    ids0, ids1 = torch.cat([y for _, y in r0]), torch.cat([y for _, y in r1])
    assert len(ids0) == len(ids1) == 15 and not set(ids0.tolist()) & set(ids1.tolist())


def test_imagefolder_alexnet_geometry(tmp_path):
    from landmark.datamodules.imagefolder import ImageFolder
    from landmark.datamodules._vision import resize_square

    wide = torch.zeros(3, 100, 200, dtype=torch.uint8)
    wide[:, :, 50:150] = 255  # the central square is white
    square = resize_square(wide, 50)  # shorter side to 50, then the central 50x50
    assert square.shape == (3, 50, 50) and (square[:, :, 1:-1] == 255).all()  # (the filter blurs the edges)
    assert resize_square(wide, 50, "stretch").float().mean() == pytest.approx(127.5, abs=2)
    with pytest.raises(FileNotFoundError, match="no images"):
        (tmp_path / "empty" / "a").mkdir(parents=True)
        ImageFolder(str(tmp_path / "empty")).setup()
    with pytest.raises(ValueError, match="crop_size"):
        ImageFolder(str(tmp_path), image_size=32, crop_size=64)


# --- Omniglot -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def omniglot():
    from landmark.datamodules.omniglot import Omniglot

    dm = Omniglot(n_way=5, k_shot=1, k_query=15, meta_batch_size=4, train_batches=6, val_batches=2)
    dm.setup()
    return dm


def test_omniglot_episodes_from_the_real_zips(omniglot):
    assert omniglot.train_images.shape == (200, 4, 20, 28, 28)  # 242 characters - 42 for validation
    assert omniglot.val_images.shape == (42, 4, 20, 28, 28)
    assert not set(omniglot.train_characters) & set(omniglot.val_character_names)
    sx, sy, qx, qy = next(iter(omniglot.train_dataloader()))
    assert sx.shape == (4, 5, 1, 28, 28) and qx.shape == (4, 75, 1, 28, 28)
    assert sy.tolist() == [[0, 1, 2, 3, 4]] * 4 and qy[0].tolist() == [c for c in range(5) for _ in range(15)]
    assert set(sx.unique().tolist()) <= {0.0, 1.0}  # MAML's binary 28x28 images, ink 1
    assert 0.03 < float(sx.mean()) < 0.3  # mostly background
    # Within an episode the N support images are of different classes: no two identical.
    for e in range(4):
        flat = sx[e].flatten(1)
        assert len({bytes(r.numpy()) for r in flat}) == 5


def test_omniglot_classes_in_an_episode_are_distinct():
    from landmark.datamodules.omniglot import sample_episodes
    from landmark.datamodules._vision import batch_generator

    # Image value = 20 * character + drawer, so every image says where it came from.
    C, D = 12, 20
    images = (torch.arange(C)[:, None] * 20 + torch.arange(D)[None, :]).to(torch.uint8)
    images = images[:, None, :, None, None].expand(C, 1, D, 4, 4).contiguous()
    sx, sy, qx, qy = sample_episodes(images, 64, 5, 2, 3, batch_generator(0, 0, 0, 0))
    sv = (sx[..., 0, 0, 0] * 255).round().long().view(64, 5, 2)
    qv = (qx[..., 0, 0, 0] * 255).round().long().view(64, 5, 3)
    chars, drawers = torch.cat([sv, qv], 2) // 20, torch.cat([sv, qv], 2) % 20
    for e in range(64):
        assert len(set(chars[e, :, 0].tolist())) == 5  # N distinct characters
        assert all(len(set(chars[e, n].tolist())) == 1 for n in range(5))  # one character per class
        assert all(len(set(drawers[e, n].tolist())) == 5 for n in range(5))  # K + Q distinct drawings
    assert torch.equal(sy.view(64, 5, 2), torch.arange(5)[None, :, None].expand(64, 5, 2))


def test_omniglot_episodes_are_seeded_sharded_and_resumable(omniglot):
    from landmark.datamodules.omniglot import Omniglot

    first = list(omniglot.train_dataloader())
    assert len(first) == 6 and same(first, list(omniglot.train_dataloader()))
    loader = omniglot.train_dataloader()
    assert not same(list(loader), list(loader))  # a new epoch, new episodes
    val = omniglot.val_dataloader()
    assert same(list(val), list(val))  # validation episodes are the same every epoch
    other = Omniglot(n_way=5, k_shot=1, k_query=15, meta_batch_size=4, train_batches=6, seed=1)
    other.setup()
    assert not same(list(other.train_dataloader()), first)
    check_resume(omniglot.train_dataloader, stop=4)
    r0, r1 = sharded(omniglot, "train_dataloader")
    assert len(r0) == len(r1) == 3 and same(r0 + r1, [first[i] for i in (0, 2, 4, 1, 3, 5)])


def test_omniglot_one_shot_runs(omniglot):
    sx, sy, qx, qy = omniglot.runs
    assert sx.shape == qx.shape == (20, 20, 1, 28, 28)
    for run in range(20):  # each of the 20 test items belongs to one of the 20 classes, once
        assert sorted(qy[run].tolist()) == list(range(20)) and sy[run].tolist() == list(range(20))
    assert qy[0, :3].tolist() == [7, 8, 1]  # run01: item01 -> class08, item02 -> class09, item03 -> class02
    batches = list(omniglot.test_dataloader())
    assert [b[0].shape for b in batches] == [(4, 20, 1, 28, 28)] * 5 and batches[0][0].dtype == torch.float32
    r0, r1 = sharded(omniglot, "test_dataloader")
    assert len(r0) == len(r1) == 3  # 10 runs each (the last batch has 2)


# --- PASCAL VOC: the raccoon set ------------------------------------------------------------------


@pytest.fixture(scope="module")
def raccoon():
    from landmark.datamodules.voc import VOCDetection

    dm = VOCDetection(batch_size=8, eval_batch_size=16)
    dm.setup()
    return dm


def test_raccoon_boxes_lie_inside_their_images(raccoon):
    assert len(raccoon.records) == 200 and sum(len(r.boxes) for r in raccoon.records) == 217
    assert raccoon.classes == ["raccoon"] and raccoon.num_classes == 2
    assert len(raccoon.splits["train"]) == 160 and len(raccoon.splits["val"]) == 40
    ids, boxes = [], 0
    for loader in (raccoon.train_dataloader(), raccoon.val_dataloader()):
        for images, targets in loader:
            assert isinstance(images, list) and len(images) == len(targets)
            for x, t in zip(images, targets):
                H, W = x.shape[-2:]
                b = t["boxes"]
                assert x.shape[0] == 3 and x.dtype == torch.float32 and 0 <= float(x.min()) and float(x.max()) <= 1
                assert b.dtype == torch.float32 and b.shape[1] == 4 and t["labels"].tolist() == [1] * len(b)
                assert (b[:, 0] >= 0).all() and (b[:, 1] >= 0).all() and (b[:, 2] <= W).all() and (b[:, 3] <= H).all()
                assert (b[:, 0] < b[:, 2]).all() and (b[:, 1] < b[:, 3]).all()
                assert t["size"].tolist() == [H, W]
                ids.append(int(t["image_id"]))
                boxes += len(b)
    assert sorted(ids) == list(range(200)) and boxes == 217


def test_raccoon_flips_move_the_boxes(raccoon):
    from landmark.datamodules.voc import VOCDetection

    plain = VOCDetection(batch_size=8, hflip=False)
    plain.classes, plain.records, plain.splits, plain._load = raccoon.classes, raccoon.records, raccoon.splits, raccoon._load
    flipped = 0
    for (xa, ta), (xb, tb) in zip(raccoon.train_dataloader(), plain.train_dataloader()):
        for a, b, s, t in zip(xa, xb, ta, tb):
            assert s["image_id"] == t["image_id"]  # same order: the flip draws do not change it
            if torch.equal(a, b):
                assert torch.equal(s["boxes"], t["boxes"])
            else:
                W = b.shape[-1]
                assert torch.equal(a, b.flip(-1))
                assert torch.allclose(s["boxes"][:, [2, 1, 0, 3]] * torch.tensor([-1, 1, -1, 1]) + torch.tensor([W, 0, W, 0]), t["boxes"])
                flipped += 1
    assert 40 < flipped < 120


def test_voc_layout_of_your_own_padded_and_sharded(tmp_path, shared_data):
    from landmark.datamodules.voc import VOCDetection

    (tmp_path / "Annotations").mkdir()
    (tmp_path / "JPEGImages").mkdir()
    for i in range(1, 11):
        shutil.copy(shared_data / "raccoon" / "annotations" / f"raccoon-{i}.xml", tmp_path / "Annotations")
        shutil.copy(shared_data / "raccoon" / "images" / f"raccoon-{i}.jpg", tmp_path / "JPEGImages")
    dm = VOCDetection(root=str(tmp_path), val_size=2, batch_size=4, padded=True, max_size=128, in_memory=False, seed=3)
    dm.setup()
    images, targets = next(iter(dm.train_dataloader()))
    assert images.shape[:2] == (4, 3) and max(images.shape[-2:]) == 128
    for x, t in zip(images, targets):
        h, w = t["size"].tolist()
        assert max(h, w) == 128 and (t["boxes"][:, 2] <= w).all() and (t["boxes"][:, 3] <= h).all()
        assert float(x[:, h:].abs().sum()) == 0 and float(x[:, :, w:].abs().sum()) == 0  # zero padding
    r0, r1 = sharded(dm, "train_dataloader")
    ids0 = [int(t["image_id"]) for _, ts in r0 for t in ts]
    ids1 = [int(t["image_id"]) for _, ts in r1 for t in ts]
    assert len(ids0) == len(ids1) == 4 and not set(ids0) & set(ids1)
    check_resume(dm.train_dataloader, stop=1)
    with pytest.raises(ValueError, match="not in classes"):
        VOCDetection(root=str(tmp_path), classes=["dog"]).setup()
