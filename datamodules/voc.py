"""Object detection data in PASCAL VOC's XML format, demonstrated on the raccoon dataset.

PASCAL VOC (Everingham et al., "The PASCAL Visual Object Classes (VOC) challenge", IJCV 88(2),
2010) stores one XML file per image: ``<size>`` (width, height, depth) and one ``<object>`` per
box, with ``<name>`` (the class), ``<difficult>`` and ``<bndbox>`` (``xmin ymin xmax ymax``, in
pixels). R-CNN (Girshick et al. 2014) was trained and evaluated on VOC 2007/2012; those sets are
not available offline, so the default dataset is Dat Tran's raccoon set (200 JPEG images, 217
boxes, one class; ``../shared/data/raccoon``), which uses the same XML format. Any folder in
VOC's layout (``Annotations/`` + ``JPEGImages/``) or the raccoon layout (``annotations/`` +
``images/``) is read with ``root``.

Batches are what torchvision's detection models take: ``(images, targets)`` where ``images`` is
a list of float32 ``(3, H, W)`` tensors in [0, 1] (their sizes differ; torchvision's models
resize and normalise internally), or with ``padded: true`` one ``(B, 3, H_max, W_max)`` tensor
padded with zeros at the bottom and right; and ``targets`` is a list of dicts:

- ``boxes``: float32 ``(N, 4)``, ``x1, y1, x2, y2`` in pixels of the served image (VOC's numbers
  as written, scaled with the image when ``max_size`` shrinks it);
- ``labels``: int64 ``(N,)`` in ``1..len(classes)``; 0 is left for the background, as
  torchvision's detectors and R-CNN's ``N + 1``-way classifier expect;
- ``difficult``: bool ``(N,)`` (VOC's evaluation ignores these boxes);
- ``size``: int64 ``(2,)``, the served image's ``(H, W)``; ``image_id``: int64, its index.

Training batches are mirrored left-right with probability 1/2 per image (``hflip``; Fast R-CNN
§3.3 and later detectors), boxes with them, from a generator seeded by ``(seed, epoch, rank,
batch)``. Splits: ``val_size`` images drawn from ``seed`` for validation, the rest for training;
test = validation. Images are decoded once and kept (``in_memory``; raccoon: 160 MB) or decoded
per batch in loader workers; order, DDP shards and resumable position as ``TensorBatches``.

The raccoon files are declared with their sha256 (from the dataset's ``MANIFEST.tsv``): a
changed or truncated image is refused, and ``landmark data fetch raccoon`` can download them
from the pinned commit of the source repository.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import lightning.pytorch as L
import torch
import torch.nn.functional as F
from torch import Tensor

from landmark.data import DataFile, seeded_split, shard
from landmark.datasets import Dataset
from landmark.datamodules._vision import LoaderBatches

__all__ = ["VOCDetection", "parse_voc", "DATASET"]

_RACCOON_COMMIT = "93938849301895fb73909842ba04af9b602f677a"
_RACCOON_URL = f"https://raw.githubusercontent.com/datitran/raccoon_dataset/{_RACCOON_COMMIT}/"


def parse_voc(path: str | Path) -> dict:
    """One VOC XML file -> ``{"filename", "width", "height", "objects": [(name, x1, y1, x2, y2,
    difficult), ...]}``."""
    root = ET.parse(path).getroot()
    size = root.find("size")
    width = int(float(size.findtext("width", "0"))) if size is not None else 0
    height = int(float(size.findtext("height", "0"))) if size is not None else 0
    objects = []
    for obj in root.iter("object"):
        box = obj.find("bndbox")
        if box is None:
            continue
        try:
            coords = [float(box.findtext(k)) for k in ("xmin", "ymin", "xmax", "ymax")]
        except (TypeError, ValueError) as e:
            raise ValueError(f"{path}: a <bndbox> without numeric xmin/ymin/xmax/ymax") from e
        difficult = (obj.findtext("difficult") or "0").strip() == "1"
        objects.append(((obj.findtext("name") or "").strip(), *coords, difficult))
    return {"filename": (root.findtext("filename") or "").strip(), "width": width, "height": height, "objects": objects}


def _layout(root: Path) -> tuple[Path, Path]:
    for ann, img in (("Annotations", "JPEGImages"), ("annotations", "images")):
        if (root / ann).is_dir() and (root / img).is_dir():
            return root / ann, root / img
    raise FileNotFoundError(f"{root}: expected VOC's Annotations/ + JPEGImages/ or annotations/ + images/ folders")


@dataclass
class _Record:
    image: Path
    boxes: Tensor  # (N, 4) float32, in the file's pixels
    labels: Tensor  # (N,) int64, 1..K
    difficult: Tensor  # (N,) bool


def _decode(path: Path, max_size: int) -> tuple[Tensor, float, float]:
    """An image -> uint8 (3, H, W), shrunk so its longer side is at most ``max_size``; and the
    x and y scale factors applied."""
    import numpy as np
    from PIL import Image

    with Image.open(path) as im:
        image = torch.from_numpy(np.asarray(im.convert("RGB")).copy()).permute(2, 0, 1).contiguous()
    H, W = image.shape[-2:]
    if max_size and max(H, W) > max_size:
        s = max_size / max(H, W)
        h, w = max(1, round(H * s)), max(1, round(W * s))
        image = F.interpolate(image[None].float(), size=(h, w), mode="bilinear", antialias=True)[0]
        image = image.round_().clamp_(0, 255).to(torch.uint8)
        return image, w / W, h / H
    return image, 1.0, 1.0


@dataclass
class _Load:
    """Indices -> (list of uint8 images, list of targets); runs in loader workers."""

    records: list[_Record]
    max_size: int
    cache: dict[int, tuple[Tensor, float, float]] | None = None

    def image(self, i: int) -> tuple[Tensor, float, float]:
        if self.cache is not None and i in self.cache:
            return self.cache[i]
        return _decode(self.records[i].image, self.max_size)

    def __call__(self, idx: Tensor) -> tuple[list[Tensor], list[dict[str, Tensor]]]:
        images, targets = [], []
        for i in idx.tolist():
            r = self.records[i]
            image, sx, sy = self.image(i)
            boxes = r.boxes * torch.tensor([sx, sy, sx, sy]) if (sx, sy) != (1.0, 1.0) else r.boxes.clone()
            images.append(image)
            targets.append({
                "boxes": boxes,
                "labels": r.labels.clone(),
                "difficult": r.difficult.clone(),
                "size": torch.tensor(image.shape[-2:]),
                "image_id": torch.tensor(i),
            })
        return images, targets


@dataclass
class _Transform:
    """uint8 -> float in [0, 1]; training: random mirroring with the boxes; optional padding."""

    train: bool
    hflip: bool
    padded: bool

    def __call__(self, batch, g: torch.Generator):
        images, targets = batch
        flips = (torch.rand(len(images), generator=g) < 0.5).tolist() if self.train and self.hflip else [False] * len(images)
        out = []
        for image, t, flip in zip(images, targets, flips):
            image = image.float() / 255
            if flip:
                W = image.shape[-1]
                image = image.flip(-1)
                t["boxes"] = torch.stack([W - t["boxes"][:, 2], t["boxes"][:, 1], W - t["boxes"][:, 0], t["boxes"][:, 3]], 1)
            out.append(image)
        if self.padded and out:
            H = max(x.shape[-2] for x in out)
            W = max(x.shape[-1] for x in out)
            out = torch.stack([F.pad(x, (0, W - x.shape[-1], 0, H - x.shape[-2])) for x in out])
        return out, targets


class VOCDetection(L.LightningDataModule):
    """Detection data from PASCAL VOC XML annotations (default: the raccoon dataset).

    Args:
        data_dir: folder holding the raccoon dataset's ``images/`` and ``annotations/``
            (checked by sha256); if unset, the cache (``$LANDMARK_DATA_DIR/raccoon``, else
            ``~/.cache/landmark/raccoon``). Ignored when ``root`` is set.
        root: a folder of your own in VOC's layout (``Annotations/*.xml`` + ``JPEGImages/``) or
            the raccoon layout (``annotations/`` + ``images/``); read without checksums.
        classes: object class names, in label order (label = position + 1); if unset, the
            sorted names found in the annotations.
        val_size: images held out for validation (seeded); test = validation.
        seed: seed of the split, the shuffling and the mirroring.
        batch_size: training images per step.
        eval_batch_size: images per validation/test/predict batch.
        shuffle: reshuffle the training images every epoch.
        drop_last: drop the last, smaller training batch.
        max_size: shrink images whose longer side exceeds this (boxes too); 0 keeps them.
        hflip: mirror training images (and boxes) left-right with probability 1/2.
        padded: serve each batch's images as one zero-padded ``(B, 3, H, W)`` tensor instead
            of a list.
        keep_difficult: keep the boxes VOC marks difficult (they carry ``difficult=True``).
        in_memory: decode every image once at ``setup`` and keep it.
        num_workers: loader worker processes (0: in this process).
        pin_memory: pin the batches in page-locked memory.
        persistent_workers: keep the workers alive between epochs.
    """

    def __init__(
        self,
        data_dir: str | None = None,
        root: str | None = None,
        classes: list[str] | None = None,
        val_size: int = 40,
        seed: int = 0,
        batch_size: int = 2,
        eval_batch_size: int = 8,
        shuffle: bool = True,
        drop_last: bool = False,
        max_size: int = 0,
        hflip: bool = True,
        padded: bool = False,
        keep_difficult: bool = True,
        in_memory: bool = True,
        num_workers: int = 0,
        pin_memory: bool = False,
        persistent_workers: bool = False,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers needs num_workers > 0")
        self.classes: list[str] = list(classes) if classes else []
        self.records: list[_Record] = []
        self.splits: dict[str, Tensor] = {}
        self._load: _Load | None = None

    @property
    def num_classes(self) -> int:
        """Object classes plus the background (label 0), as torchvision's detectors count them."""
        return len(self.classes) + 1

    def _root(self) -> Path:
        if self.hparams.root:
            return Path(self.hparams.root).expanduser()
        found = DATASET.locate(self.hparams.data_dir)
        return found["annotations/raccoon-1.xml"].parent.parent

    def prepare_data(self) -> None:
        self._root()

    def setup(self, stage: str | None = None) -> None:
        if self.records:
            return
        hp = self.hparams
        ann_dir, img_dir = _layout(self._root())
        parsed = []
        for xml in sorted(ann_dir.glob("*.xml"), key=lambda p: _natural(p.stem)):
            a = parse_voc(xml)
            image = img_dir / f"{xml.stem}.jpg"
            if not image.is_file():
                image = img_dir / a["filename"]
            if not image.is_file():
                raise FileNotFoundError(f"{xml}: its image is neither {img_dir / (xml.stem + '.jpg')} nor {image}")
            objects = [o for o in a["objects"] if hp.keep_difficult or not o[5]]
            parsed.append((image, objects))
        if not parsed:
            raise FileNotFoundError(f"no annotations (*.xml) in {ann_dir}")
        if not self.classes:
            self.classes = sorted({o[0] for _, objects in parsed for o in objects})
        index = {name: i + 1 for i, name in enumerate(self.classes)}
        for image, objects in parsed:
            unknown = {o[0] for o in objects} - set(index)
            if unknown:
                raise ValueError(f"{image.name}: classes {sorted(unknown)} are not in classes={self.classes}")
            self.records.append(_Record(
                image,
                torch.tensor([o[1:5] for o in objects], dtype=torch.float32).reshape(-1, 4),
                torch.tensor([index[o[0]] for o in objects], dtype=torch.int64),
                torch.tensor([o[5] for o in objects], dtype=torch.bool),
            ))
        train, val = seeded_split(len(self.records), hp.val_size, hp.seed, "dataset")
        self.splits = {"train": train, "val": val, "test": val}
        cache = {i: _decode(r.image, hp.max_size) for i, r in enumerate(self.records)} if hp.in_memory else None
        self._load = _Load(self.records, hp.max_size, cache)

    def _batches(self, split: str, batch_size: int, train: bool):
        hp = self.hparams
        idx = self.splits[split]
        if not len(idx):
            return []
        kw = dict(shuffle=hp.shuffle, seed=hp.seed, drop_last=hp.drop_last) if train else {}
        load = _Subset(self._load, idx)
        batches = LoaderBatches(
            load, len(idx), batch_size, _Transform(train, hp.hflip, hp.padded), **shard(self.trainer), **kw,
            num_workers=hp.num_workers, pin_memory=hp.pin_memory, persistent_workers=hp.persistent_workers,
        )
        if train:
            batches.epoch = self.trainer.current_epoch if self.trainer is not None else 0
        return batches

    def train_dataloader(self):
        assert self.records, "call setup() first"
        return self._batches("train", self.hparams.batch_size, train=True)

    def val_dataloader(self):
        assert self.records, "call setup() first"
        return self._batches("val", self.hparams.eval_batch_size, train=False)

    def test_dataloader(self):
        assert self.records, "call setup() first"
        return self._batches("test", self.hparams.eval_batch_size, train=False)

    def predict_dataloader(self):
        return self.test_dataloader()


@dataclass
class _Subset:
    """Positions within a split -> the dataset's indices."""

    load: _Load
    idx: Tensor

    def __call__(self, positions: Tensor):
        return self.load(self.idx[positions])


def _natural(s: str) -> tuple:
    """``raccoon-2`` before ``raccoon-10``."""
    import re

    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s))


# --- the raccoon dataset's files ------------------------------------------------------------------

# path, bytes, sha256 (from the dataset's MANIFEST.tsv), for the files the DataModule reads.
_RACCOON_FILES = """
LICENSE 1064 3e281ba3a90cdb41a710e5dbdaed0aac0156eda6f937a8b86991ddc0f90cea03
annotations/raccoon-1.xml 554 79031e492c561e1b38b1cce8be941a3353bf166937f56b91bcfc898133619383
annotations/raccoon-2.xml 554 20f3192849bc4afcf6d2194772b1d31979d7bfbf8774ab7491cc028fedd504c1
annotations/raccoon-3.xml 552 f3158a3d27890c6c5f129bc66f5ea67df27edc41cb076d76a8c5394f6e472282
annotations/raccoon-4.xml 554 6f649e191588b073ce22b86654ea5ae247a0763a8bd294c27e35658f891082eb
annotations/raccoon-5.xml 552 ee847868f13855d118ade44b7770c89f5a765d76acf8d9efe3b142c749fcca28
annotations/raccoon-6.xml 553 9ea1b9359accd635d94b9f99c0697fb711420ab6b176150f0257acf805dd6336
annotations/raccoon-7.xml 554 2fc2f4e9df102186ec780c98596b58a2873107742a0f8a60a7153ce632164a0a
annotations/raccoon-8.xml 554 cf80f7e07da908984d6d737da59d8d85c51c30a7bd150816a042575c0f0ce602
annotations/raccoon-9.xml 553 d70a9e37c134a63490028362c91886016436cdbde4618ccc4b853a372045eb07
annotations/raccoon-10.xml 556 e5cc2300dc1bbeaebc749a112918a241d4cc9772f593645735c5369dc0d38be5
annotations/raccoon-11.xml 554 219ef71b51a7c0d6fc2f9760c144d3e6b1a2aeb777bc5c9e2d8ce34748a65612
annotations/raccoon-12.xml 782 39503af80143375b730d7b83f664fc479ac65f2f55005f270e2347fa97a8b92b
annotations/raccoon-13.xml 556 08572b6101e1c7dfa5c8733b42a64f5e2dbbf8e8cf3358fc073e1cfc6849a3d9
annotations/raccoon-14.xml 557 ef20d1b3914291bdbe9c4f6dd1433cc588d779cddd6ba5a2853a719a8b57b40b
annotations/raccoon-15.xml 557 c1fb34c5d74504c02227ebb77ecf3abf29ef6ca4f99af38ebab7ab5a0e71b4de
annotations/raccoon-16.xml 557 5912bcc3b6e24cdb50e5b4a1f3cd8115734a59ae313c9efe7ebf76c2a9d29347
annotations/raccoon-17.xml 556 e5877593cfcd8e21909335f4b04e09afc86f38f39473f483821e95b6d69644fd
annotations/raccoon-18.xml 556 ea42983f0ba234257a2e3c18d8baed57fce441ca0baccf87034364b7a111c2c2
annotations/raccoon-19.xml 554 ae72f704c8502e018211d3e92baedb73f57fa03ae866ec557cdc0f5c8cbae7ea
annotations/raccoon-20.xml 555 e9329352f13f7cc66a884f96d52beba313888d0775b253d437d3359ad7312729
annotations/raccoon-21.xml 555 0863dd1e9c324cbecefc792f75cb3f6967d39f5a838c4ca97e95e9e42774d56a
annotations/raccoon-22.xml 557 1eccea05ed91546acc3ad4a725eddd4c599eac2bbb3693a2590aa45c7ee2afd4
annotations/raccoon-23.xml 556 55794bf480312144172e5db52347b96e5854d10e1f20c075c852b2f7c041bde2
annotations/raccoon-24.xml 783 e38d46319822ba3cbfce609d1d561691579512d6b916b3664b024cdeb6898527
annotations/raccoon-25.xml 556 7198d38a36329629547696e98e0ef95cce21fed07bf7743cca1699f46b054103
annotations/raccoon-26.xml 556 adaa608aa2e14c6f7e32bf6375b77e6429a835f3eb12e3b26a6a31095106e1a9
annotations/raccoon-27.xml 556 5d3eac2930105c4a7b5d787a0fecc387b3e52e640a9457551f417cdadc01aa4a
annotations/raccoon-28.xml 556 e8718cf47e6ef35db8f30b86259566ab18f65b770fa5ac528277478e82bd1706
annotations/raccoon-29.xml 555 5a5d68faa0c1a8f6d60d4ba66dd4ab01f530c641b0ed7e421f7237b3673f1e17
annotations/raccoon-30.xml 556 fa2834d0299aef75dab3b2c1f5dbe944fb9753966040c7aa4b68600ede0b1add
annotations/raccoon-31.xml 781 386332b5bba077bc5733ecc0c976ca1299ac0c3e13eabbe95024a13769d0301d
annotations/raccoon-32.xml 556 7f6f270a86b067df6c58bc0810078ef0be82e9a058d4971b99a0a7d1b247ae89
annotations/raccoon-33.xml 556 98080407311e7f50a4f5e11d35cc5e3b76ce9c21bf92aed6bfc5c9a1757fd64a
annotations/raccoon-34.xml 554 da5c30c44040d839f81e813bbe6348b00fcb836b4cf2e8f78a77624268a84df8
annotations/raccoon-35.xml 554 988fc22c08f969d696f23e8731ebeae5ba7976ad4e0ac8755ece404d1a94eca0
annotations/raccoon-36.xml 557 afde362b81aa9e63123cc2ee459c1a0d95dd331d678628527c92ca04d5f91731
annotations/raccoon-37.xml 554 821a715b790419be9267361ec9937c71e9b87ac81ec4c6cc50e5ddeea0823ffe
annotations/raccoon-38.xml 555 cba3717dff073f4e16569804d6447346639de794f03c1a64eb0207385306612a
annotations/raccoon-39.xml 556 fb010829a84728477bb51baf49e3bf6656ba20d266afca0262d6529bc9ff8e36
annotations/raccoon-40.xml 557 9000110c5e675107a1f1ba93938f67b6fd358ba476f16ad40d6f75f5c786ee0b
annotations/raccoon-41.xml 557 4683700261d652eb07eb85fb51cc6e1b7764ed1b802f3e4dec0998a15d3cdb6e
annotations/raccoon-42.xml 559 9156d72f84ad0da9348b7960006aa235e4e4ef7d51e9cd51d2d985ec98a586f3
annotations/raccoon-43.xml 555 939bfc5ffbe996c4a8f3236b12da892b9d254621a9c1c3094b5faf96281b8a10
annotations/raccoon-44.xml 556 659c7240012834038c5cdc853900d26d57f2dcd7703e7f5bba4bbc75fb32f098
annotations/raccoon-45.xml 556 d873d613a5d72bb1ddc7085765a34d9b2533c9c1eb4a3bb556a2fe084ec280a5
annotations/raccoon-46.xml 556 c88fa2d765b1744869ada14d26abf257c6805df7284dc793b0f7c10aabc9498a
annotations/raccoon-47.xml 555 2a1805d7e7461ecbd4c17e4361c1dadb85326fc887889851495a757f59beadff
annotations/raccoon-48.xml 556 f2fa3312b9a0a2c511d5de0e3b8a0036565d4bfa3a9fe8a5f635d1d00bc84338
annotations/raccoon-49.xml 557 11ab33598380b7a82bc894ee192b32a66f14028c146af7fd5926a65af43e3b36
annotations/raccoon-50.xml 555 0cd95be3ba1f5b89d8fff8fb5dce1fbeedd91be86a668dc23cb5479a60ce9f4a
annotations/raccoon-51.xml 558 600c7b3560bea97bde5d26d89b05b8c917a980d6e14a1c32c55423ef0f21eab7
annotations/raccoon-52.xml 557 f40b89eed60577395d468da0fe005c7f43662e6aa213d7d9a12f7736c0d733a8
annotations/raccoon-53.xml 556 b47fe360254553d31a9f90a31cbc40cf648ce112dff9cf7d50c8ddad16f9ef76
annotations/raccoon-54.xml 555 0a5b7e7a0da26da8abd795e1ce7661ce22eb2aa1d821463e0ca8ac84822806c0
annotations/raccoon-55.xml 782 1bf220c0632c6dd403ab85a34fb45a0017dae1b2e053084d3f43395996efb038
annotations/raccoon-56.xml 555 b11b3d264c41bb890afa8064b48f904a6432c864b3efbf2a5113e7e4c5d603e2
annotations/raccoon-57.xml 555 9947eb90084cfd3915d68f0a73627b5d398964fd1e7150fccddc6eefaf94a18a
annotations/raccoon-58.xml 554 3329c726890f221579c4e60fcdf35babb8179c06156f0875f88346ec95b4b1e5
annotations/raccoon-59.xml 554 52d59d28f8552bb1ad7359f8a30a3e46141e1c661df825954b3cf075283bc79c
annotations/raccoon-60.xml 556 990dfe802a5272fd07f29cd697358c94f2939b603630f08a573c7278c05adca1
annotations/raccoon-61.xml 783 970fc395ccb99b267604d44c9fe3f56e0d3242efae3c34e177e59c10388ad137
annotations/raccoon-62.xml 556 5571733c8e5100d3d17899234999ae5282cedb9ea1924ed21771043a63a689bc
annotations/raccoon-63.xml 784 fe71ba729ef278d8270de78402a93256686b9b67a83d6949106170c16af865f3
annotations/raccoon-64.xml 554 f6b623fe81f83609ee93331d7ad7cce809e47f7eec80ff3c6dd6de42af2847c7
annotations/raccoon-65.xml 557 836c35d8d3a12f0a1288953c52366a05326b1455879455a0613946ec933bbb14
annotations/raccoon-66.xml 557 3db66642215c0358c6c31955ed11174dc6498a96b36ac6289149be8eeb8e7361
annotations/raccoon-67.xml 556 8c78a49487131787a0d78a046cce05e7dcf17da6baae7fca33fb354d31718891
annotations/raccoon-68.xml 555 c087d0a4b907599292b85365497880007310de0aafbdccb54c7f57a286d202db
annotations/raccoon-69.xml 556 71b050288c4c2da89e017ed263e37c026e73f90bc0496203f2a495ecc4f64419
annotations/raccoon-70.xml 555 9be87fa2a4ace416846a9d717ec2cd9345e39693718a15e9d8b6e547c84d86d0
annotations/raccoon-71.xml 557 1549203a148a480940865f1f668b1b37c1b7913f5d4d1d5ee19572a08fb47fca
annotations/raccoon-72.xml 784 5c24569df08497107b01162157e3816a51540f0698fb0b09405b2df8bf2a8ac1
annotations/raccoon-73.xml 556 c0547dd350dc6f737cda74a7899e13f486472c82fbf7753f5ca689d81d1dcfdc
annotations/raccoon-74.xml 556 e81433541ee750a8d2552267cef6debb71189d0c5eac5cd1a44807b941e7357d
annotations/raccoon-75.xml 554 9d2356c223ada7f885488b98b00583582156d0efb80d59a772ed12ac8b93cc80
annotations/raccoon-76.xml 555 789801cfba7a180f6e04d376d29d76be13980b2b988becb6c576f7224b77bf55
annotations/raccoon-77.xml 556 6224bbad158d957b527f718ab86bc6e460f80782c044b093af37091d67d6f0cd
annotations/raccoon-78.xml 556 3b0efede8a135c19d24cd2333febfa3a0342b4f97ec9721b57168e032af92f80
annotations/raccoon-79.xml 556 38f849b3e4d8222388e033bdb85f0a8877cd8e37c3827cb426a342e52acbbf73
annotations/raccoon-80.xml 556 52bbfb85f3608b45758f6d78f43de6b48dec3a93d9baf1c48f924260308a0c02
annotations/raccoon-81.xml 555 0f2aa471060b944cb2260f1c8920a02288c4fefec89191d405e6dca5ab27bbc6
annotations/raccoon-82.xml 554 bda982e4b799c8a45f7b1ccb7866378863c3ce6b76a062c2f06da9ca6c655b7f
annotations/raccoon-83.xml 556 fd7a6fdceab4eecef4260b29542b4df7bed7d88e41240bcc2535a7af1e765166
annotations/raccoon-84.xml 555 88a7edbd8cee20a9a86a397bc4cd1d99e2ae8c2b0d47bcf28e6cc170ecc1ed56
annotations/raccoon-85.xml 557 788b59a05ea167c4aa847da6c01c6286bdaecde2bfcd7c00db6b594e0f1ca0b7
annotations/raccoon-86.xml 557 83297d2eca31f275da5aaed0cab17e69181492776de0380f84607fee731d058f
annotations/raccoon-87.xml 554 248be46704ee04ad16b4b5b454f99caaa59640499b526cf5eee9026310cab66b
annotations/raccoon-88.xml 557 a9919d03d77a911ba0336e6eeb3ef625f63f044485881f8d1f719da460942172
annotations/raccoon-89.xml 555 8c463632b926819419f0a54ef4878afc5356e5f659aa6ed8961c5cc357781787
annotations/raccoon-90.xml 556 ce6817ebfee18ab80c4e2500d716a4ae00e3498b67eb5a052d9c3d5fb4dd8daf
annotations/raccoon-91.xml 556 ef9d8d32afbf03b294e5b144f8db1d5eb044cb7a949af692c90b55a989a79607
annotations/raccoon-92.xml 556 0c93bf51c835504f505f92cc475a20624560d4604617f44c92df86a143095ab6
annotations/raccoon-93.xml 556 b88f7fa85f07a758715c8b417b70d1ac5a56925a999eb5565ee7da8361efdc9e
annotations/raccoon-94.xml 557 4bc755b5d40585743fd543984e4feb85810fcb3acd6a52b214fc51f09020d1a6
annotations/raccoon-95.xml 556 51e99880d405ac2e3eefe51937bc0466e118a9250cd9ccee2b928384f5484741
annotations/raccoon-96.xml 556 8e8b0e8658a4ea0f9fdf715231ed7f3d86ccba5f91099316fdc88967034d4999
annotations/raccoon-97.xml 555 8d857dddf15a2a3361867d561201e0f9902b50c5b8c5d5df0623bf4784f6438b
annotations/raccoon-98.xml 557 77b8057114ef4229759ba053e54768e1502f107dc228658a6b77c2601c936e43
annotations/raccoon-99.xml 556 c66aeb9df3d711628f95119fe069c5989a23300a3caeac972f11ec5a6bcb480b
annotations/raccoon-100.xml 559 88e3df9374e434b359d7252bc11e78c5508c3305bb725b2b23866822f9c31573
annotations/raccoon-101.xml 558 05c65f8615ea11d21125b3c5d8d4240e09ed79065d86c07c54cc91d797526bd3
annotations/raccoon-102.xml 556 490c23a81afc74c4cc025ba1de8b82c3c2a94058a80caf2ff1f2d375a9e154aa
annotations/raccoon-103.xml 558 b39fc004ae6acd666de163a10316f56e5929b0e57c60f35f77076493267c2a51
annotations/raccoon-104.xml 559 32755ac50a32c372a192a8a8bb457af18d197c08c69dc265e3c85014674f8e71
annotations/raccoon-105.xml 559 051eb5d000a5c0c36a10beb4f59d453e442054ae8ebdf764d0dd1a3c5edaf681
annotations/raccoon-106.xml 558 5083f457824fabc3286d34c42f3f5198e23894902194ef4dedda16a3cbfe93d4
annotations/raccoon-107.xml 559 7b14d396ec16db83fc382101f56b776dcc65c47d1ec46e8e69a0a8624ff29e4c
annotations/raccoon-108.xml 558 680df21eb8d75736ce666bffdb11bb8769fbd53dd9e229fcb8d6cd11abaa9f06
annotations/raccoon-109.xml 556 418cee94071d82796ce1c6a032b4e54e11e3acd672d26bf9d0c4a9949df2ce04
annotations/raccoon-110.xml 557 c2e3349c3db2e309a2847a7375c61d840d561268dada6871c9d9c55c3a0d16f8
annotations/raccoon-111.xml 557 e532fe6a487f2ba6be78a0435e2f8afcedf7da3bd76b9a93e35dbcb67f9d7be3
annotations/raccoon-112.xml 560 db2f8bdcca2a98e9b70eca06e40c420128adb846d3ea6ca340a27a3cae897ee9
annotations/raccoon-113.xml 556 234af3f5c2238d1e462717d717c3fa8d6a4d900d147fad73cb99e1f278ba80fd
annotations/raccoon-114.xml 559 c16eafad2c37a7c158ce0b91fee63d8142af32aef3e285c781ca6f790082ece1
annotations/raccoon-115.xml 559 d594581478a8f76849d9948d5f2bbc7951400dd57d7386eadf0151601bb7d47a
annotations/raccoon-116.xml 556 a61f4d4e861ac874dedc7f8f42b800f2def954836fb78f962f53db9185a04ea0
annotations/raccoon-117.xml 788 87f629bd6af829b7bfd4c38d7b96101e0ee12ff8beccac6394b463f66bf1f937
annotations/raccoon-118.xml 559 2c7b512d6d93ac078cc1182a22f563e97d09eb841712c6d62df1f50c0cabedd4
annotations/raccoon-119.xml 1014 f84472df57f510a23cb17baf78a2ceafa9825797384f1628ecb3f27f078b3737
annotations/raccoon-120.xml 559 c2365220ed4111120b1c977a35786210cc075cb9093f5abbbbe433ef472ccaab
annotations/raccoon-121.xml 558 eb8fc297f045d468a5947178783beefd917381dba9c5503712a7d50e129723f8
annotations/raccoon-122.xml 556 1516161478ffdae6443e43beb33ac6565bb00e4aded53eaa3f6ab9144eef353e
annotations/raccoon-123.xml 559 26e8c7ae04400eba2ce01549aa280ae5f53cf610e500d41932fb284c3bd00099
annotations/raccoon-124.xml 558 c4e8f68bdb0e3c72e9afed83f59ee9f2c7a8ed0f25d3ae57e798facc7784fd11
annotations/raccoon-125.xml 557 76a336fb8c9e95737125529a3fc9012bf1cefe4e04d4732089dedddefd1fc005
annotations/raccoon-126.xml 556 f0c338eb4f6739ccd73d00b2c116f08590806a0e46b61a6afa758e7fecf8e6c4
annotations/raccoon-127.xml 559 2264d57f03f5a9b676dcf86a0c49705ae061c33bb2ba11340f6378f9e8229066
annotations/raccoon-128.xml 558 0d6c0d1ea2144c74aa9f00a1f0083710fa00ab66cb95f7cdfaa76f96ddb28ae9
annotations/raccoon-129.xml 559 231f708fc8b32274e94313630bc1687e052e79c166ec17eb42745acf08e352ef
annotations/raccoon-130.xml 786 83c4e121f344751f40cc40c076ee0b5ef7675ebf703a52205c79c9edde58b573
annotations/raccoon-131.xml 556 bb1348793f8b76d8ed8089ea30c70893aac00402adae671df5a753d5fd066a28
annotations/raccoon-132.xml 556 4820ec550fd0e2f49958c672a76e18de8b2d85b4a306343245dc429b19c67b22
annotations/raccoon-133.xml 556 284bce6b45e61c7ae08c97a08fa4d1e4a2e7c7220c4ccaedaf385b0359a4d190
annotations/raccoon-134.xml 559 4a5542d44fe8f8d8d635783ed1bf47d5a9bed6ed78a22852d4ec68c7f63513dc
annotations/raccoon-135.xml 557 1f2d4ac7afce2621d8b77c993eb14bfa893617551affdca9e6b1a945b82726db
annotations/raccoon-136.xml 558 d473dede7333508b2c51fb259407860127187d4ea3f0cd21d46d9ec2cdea01fd
annotations/raccoon-137.xml 557 479e13e711c70e5e990847131939bf4b3330dbcc8c97932a0f28266763802c5e
annotations/raccoon-138.xml 558 8e51072093cad655f3956e6a13bbfb9cfb9a8a093e8f9e406dfd8157efb0e101
annotations/raccoon-139.xml 557 4b7a778dde49c953cc18b2e15a96ec24817c7fed77e4c095f6d6e8d3409b8e8f
annotations/raccoon-140.xml 557 dc5593ccb28170715ed00f3b16ab98710256edcf3fe5bd3128461f5fa2a051a6
annotations/raccoon-141.xml 556 9056944feca5a23661106666b4fbfc7f817cca8df525d8c13bd141b80633225f
annotations/raccoon-142.xml 561 6c4ed27e006f6a821cfaf2155c09f4aa7fcaf0e6a9b07bce3285acc882a5cec7
annotations/raccoon-143.xml 558 40e831ed4f612af6949c26f8c73850ec97d2e7df4c8e14c7b80ae8eb8e4299a5
annotations/raccoon-144.xml 559 75f92d152bf2959ae3494b9fcbbdfaf45a41788adf4f2bf5ca1a38b9e09ad47f
annotations/raccoon-145.xml 784 df7425e28616023ab80dbb94aa008a0fb05a7edeb528d199b507162c37b0b68b
annotations/raccoon-146.xml 556 92c12f7ee836c21de9bfcd607714bd041d6d2cd59907a2e90e0a00a08f8d544c
annotations/raccoon-147.xml 557 38882660773ac8954c795d8f6acd09891f9ec19b3429139d10ea657ee6c63c8f
annotations/raccoon-148.xml 787 586a6da84c815858b9421758dd352ac2b592f66465036c632ccf05d4239e0364
annotations/raccoon-149.xml 559 5fc16bc868db7beebb569bc48935701f1842c2f5cd37564763dd1ecd65a67202
annotations/raccoon-150.xml 558 f73664472255c73a2c085b0620dfb630aa5842822e1ab7ce1e406f704b8599c1
annotations/raccoon-151.xml 558 c7ffe7451c6d90eeca62ee0befd1929b7d716d4922fdc644243a1990aa9084f1
annotations/raccoon-152.xml 558 1e1fbf1e5f2e25bbc12757a8375c243e73e8e4dd692e71b50833e47cff660bd3
annotations/raccoon-153.xml 557 10f17312ab1b1b9eb5f099e845c13b24232a028021fd4a52f598196cc01cfaf1
annotations/raccoon-154.xml 559 3c01c0f657ee036e51d374df994c9c0ae49a3137c8115d44e4d350405312bb04
annotations/raccoon-155.xml 558 da6f16d3481c07a6e7deaa1c81d2769929c6e569d51b18ab03372c3366056f49
annotations/raccoon-156.xml 558 a33559f379972da67d51980b51e437d226254b198554781fb4f77785cc3d5b8a
annotations/raccoon-157.xml 556 0a732afef26b6b6f396d3730a3b7ccd42351c3da00fd34332ec37e70ddd75048
annotations/raccoon-158.xml 558 5dd28811d147a9b976e305f1be9075cb6b162519ca77dcc1ce50e8d2e9d9aa6c
annotations/raccoon-159.xml 558 1a89a6ba4f14a5939fa1638078f31f3a028eb54970c3c5150d3cf2555780bb65
annotations/raccoon-160.xml 557 8f854cc85c1dfb38015973dd7e671992b4ff4aa6508b5bac08eb4d10a5527dc6
annotations/raccoon-161.xml 559 ab042b46c900f2e7731a4927d57333bf5444f791cada7196babd291de3d33c94
annotations/raccoon-162.xml 558 383766ebe7b6c9fad14aa976fe0436420b5cbceebc7ab7bf14054531e8be473e
annotations/raccoon-163.xml 556 a3ed6a5fda84d77b46793b1eaf2230f8b64fdbe78cb12841858f1f63862107b5
annotations/raccoon-164.xml 558 67b51d04af2fbd8f7daded63baf0ce83d9d6ea1167c3f95607cc65ff3c70d767
annotations/raccoon-165.xml 558 9cb3c34ab5aca26091fd7796bba9a04314e114d978feee219103571042606370
annotations/raccoon-166.xml 559 77c77a0a1837c01381eb4eb619087546338021ee76fd738be9e5695f80c4858c
annotations/raccoon-167.xml 556 363ff2c1f9defc036c1e2ae3141ee317d05ba289fe3330d8aeffac1644341ddc
annotations/raccoon-168.xml 784 7921eb9fdd27b35301fd91820c93e6f77aabb2575d1a98cd3f7e435e81b991cf
annotations/raccoon-169.xml 558 e5fb3f69658876d8612f84f4ddb6be4c7790ca89be99a20d1dddcc77d724be6f
annotations/raccoon-170.xml 558 98b9af30acdc58c6f1a276f64a5c8af2b8e82f4ab8c2a854bacca8e448001f50
annotations/raccoon-171.xml 559 5056756fa6cd6062f95fd2a3f14bbeed7f5e8ea40d89dead44d6779894a6352a
annotations/raccoon-172.xml 559 6dc83eff4d14dec683c5288cb514e821357811e73c6d4ea00e9d91b364dbc570
annotations/raccoon-173.xml 559 9a735295626094ae26533dd7a433df0e62113337af500cdc2a6fc715cc0edc0c
annotations/raccoon-174.xml 559 12691ce632a26b72a14008379d6e6dc9069eae3e68fd85878bb1426807889c9e
annotations/raccoon-175.xml 558 2543d344c3ac94efe91b2ab377eaacf2f7b4c559b4a6eebd31332b3754744b21
annotations/raccoon-176.xml 785 022ca285be35be47716012410131ee0e98d26d14c6b7c0ceed4458232be9337a
annotations/raccoon-177.xml 784 1b3f0f0d704e5e969ac8fefd209f121bd6772411bd689a91c54d007f28a430ef
annotations/raccoon-178.xml 558 c5c52bf0c606d1164cb2858c4b55a6840d9e414f20e9469c3a20000fe87c1735
annotations/raccoon-179.xml 558 11c2b80652411c3aee5d16ec981945550fda93cee359602a3dd92ece74028a1b
annotations/raccoon-180.xml 559 bb83ae06cd218cfe47d0b0027d012492c4aa20b2f7b24b7897f546ae9f56911b
annotations/raccoon-181.xml 558 1f6f994b27e84ed3e0ffd711963d60adbe3645e3af714ea7b3f0fbcacd73f375
annotations/raccoon-182.xml 559 2661abfcffc6e522fa8c2064bc61eb9387a144fb0efc2fa6dabdb5c8db520415
annotations/raccoon-183.xml 563 ef3306f216c40e2dd121464974665baaaaf61a79b79759c420367a2a0555ad23
annotations/raccoon-184.xml 558 eedc9d75a395cc38fb886a2e9c1323e14a523b8f6e54583aeb5b74b951250758
annotations/raccoon-185.xml 557 fb74600a4579dd7f751b748226a212a0c3ea203c4d20126c23f77673935f6a0e
annotations/raccoon-186.xml 558 4f5935cca70875b3751ed7cf07a1e896f9fd6252bd0ff0f504c8e7f3e69536d9
annotations/raccoon-187.xml 560 e5facdfd11b0e1c4c8e953e68f4c0524343196cfb4cf51be95b5487b50611b93
annotations/raccoon-188.xml 558 f4ffc484538fd8fb9464a4faf371210f7b9b81d1160e5de539a9f4f646992307
annotations/raccoon-189.xml 557 cdde5ef0151d7e2fe6083a3550c9992e03e4cf694d824fb12c41d3c90bac7106
annotations/raccoon-190.xml 558 637b8e645babb691b69924ff948a66794fc21aa7480531b2300a2cd40bef8afe
annotations/raccoon-191.xml 559 e001af8072bd59959095d6c2a5c6983b22205e7f89a37be377b166bef41eca58
annotations/raccoon-192.xml 560 0c4b91889d55b27fc0693cba37151dcdeafe0faca972dcfbd747c060359c4721
annotations/raccoon-193.xml 559 ebefcd764b10bb788af925150cb80a441fe45642d937f268c63ce6ec1e73192a
annotations/raccoon-194.xml 560 515b1b6e21ad1a4921727124e2694e649a1e99122c214111c3e57a61d2dfe47a
annotations/raccoon-195.xml 559 1921d4c69d2c6f1bcbeb82e23e81745784ad00a8635e49766147ef75b67644b8
annotations/raccoon-196.xml 558 7d4d04920ac532a8766ddc50587c86797462e51f7825b4025c4addeb5638fd96
annotations/raccoon-197.xml 560 07143cf0f392a6df9c9180516afd0e04cf96b969ce929e59f9ba0ce02cf313fc
annotations/raccoon-198.xml 785 7970d1a5eab2c8532f2522525395a446926237249e361968e8ba312c357ac063
annotations/raccoon-199.xml 558 5e548766c8c40695d22a4e06d9adf32e53aee6f5904157eda3228b73d468105f
annotations/raccoon-200.xml 559 753e39325faa11e9764c73638ef1e67b463f8eee22187b0e4483df745e2e9236
images/raccoon-1.jpg 58076 5aa683aebd423b6486724081678a436c816109c91da0e3288e22a2205168668a
images/raccoon-2.jpg 61817 437bfbb532bfaaa8cc7b07093eca864c0b094c407ac7563082a08fe7088fcce5
images/raccoon-3.jpg 85616 23558160b4add1e17646401bcb67b668bafa092b6949334eb57dca8e2044c0b4
images/raccoon-4.jpg 30540 811ae05b2575cf00fe2e450bb04138d28aabb5899a65b8e6d63b80a455d3d3e1
images/raccoon-5.jpg 17400 cced33ae09d19127a094c544a6930b40d90c434396271087fdc70fc751aab4be
images/raccoon-6.jpg 33145 264dae0fdf5729598bda084e6babd5a3f6895efc5ead7bece6d7625d2e11817a
images/raccoon-7.jpg 61854 ffb18b445f222e4dbb9bec3532be8f15a4a5fc3b01e37fb849dcb510f719a9db
images/raccoon-8.jpg 16667 421b0d5417fdf62b02895ae7db778e3eb29472723316bc02255d03c03f57e12e
images/raccoon-9.jpg 102745 100bf6ad151155411ad7a3eec31d47d910bcbc8e434310e311ed5a5cd964ced6
images/raccoon-10.jpg 70541 446602d49171ce03cd421fda169ae32642f29a048c5934e2eb8bca9d671bf2d8
images/raccoon-11.jpg 117130 89f8f2d9efe19258b4e36d8ff6888158c3b9e3caeec1bf324e1144c549e8f1c2
images/raccoon-12.jpg 20197 4eb95f92f716e73789c61a417e5b22c02517da3fd1c8be7257663c876928b554
images/raccoon-13.jpg 36203 13524cb7d40203b3a1a566837fb2bed34b559543f3576fe262aae70b9ec73a6f
images/raccoon-14.jpg 112267 f56c7e9df85474fc7fa965b52d68be19cc7083d4508c626ad3c2f96dead9e9b6
images/raccoon-15.jpg 57461 08f3e1de8e35fe10b89c6ea0b7ab94c7a88fb17347c7cfcf8428218e300a436b
images/raccoon-16.jpg 103125 3f3d2e20741eda64d1b00dd45c65b640a9a7729e72acf1b392e6750d1964f0c5
images/raccoon-17.jpg 24164 c300c2172183e9373954a3b886e9f3e864ad73c51e42ef5e34b2480bc82d0315
images/raccoon-18.jpg 18239 19dd97eeeb92814f91d3122659e2f229add7277e12af4dd290a0b1eca19c26ac
images/raccoon-19.jpg 10464 2a86902bf2e50511c8e4749670d4d5fa4065b892cbc3fc909953d3b56736099f
images/raccoon-20.jpg 209437 d7cc47bf66dd00c9510816956d3b10c29f9fb6a1cabe7d0846b872728fc6f6ec
images/raccoon-21.jpg 26496 1247a9f201e215c56d7f1b3b5c1b7da1d4d489bc0927d713a0ce37d11e542f51
images/raccoon-22.jpg 162867 fb8c9da148dd88bad218014ba8ef69358ea002d80a1836490a49883522b22679
images/raccoon-23.jpg 18774 ca7e579422f0e269b8edd99d2556299686638d478022400c3b1ff5dc3745f6de
images/raccoon-24.jpg 22094 c7ba4861bd8b862747765c4f74223d0fda958629947c54e1df25b678cccf4af5
images/raccoon-25.jpg 143214 92af77733fd3c70e8d9f34581a2ca6a265721049fb68e05f785154d1dedce4b1
images/raccoon-26.jpg 42156 84c8c29906fb0045fc231de3ef57dc9cb8983719aad520d75fced9b352f8ac0b
images/raccoon-27.jpg 93914 e91163b877b432b6a1f5f3ccc3e6a3fde255bf0f1e049246604caba7eabb15f1
images/raccoon-28.jpg 121287 a7151c2220b1b093c57e648411497967b6963947729a12932e8f63d90aa56524
images/raccoon-29.jpg 16575 1017e18bf959dc991e278fed896148fbdf0d9feaa4e986c55e7ae9ab10e87344
images/raccoon-30.jpg 13118 c579aab1b077d21ec8558bc90bd3c51932ca83780cac9cf265fa1b9abfc6bb3b
images/raccoon-31.jpg 12654 6e2487ee6f6e3bfd2f9c54d1ca6855a05f8fd72abd2e9cb98535cac546b3aa5a
images/raccoon-32.jpg 33876 53f131db9faff612051fcadbe7d17236cc4d655cb8cb145b2dc7331fd16614fd
images/raccoon-33.jpg 184438 d855e3e584b08ebf3af20b1a0469029754694645984a8c92d6a69ee4d2acd52e
images/raccoon-34.jpg 14722 881e9f99bdfe9094fd5c53c04c71dd2a4063daeff934de480afe648b98705260
images/raccoon-35.jpg 14147 c21cd53e532d6de8202ed211cda86f72f49c7c9b9491816bdea9715f043959b9
images/raccoon-36.jpg 143833 ba9d3d2fd839e47db2df48041f8b1ab3466898db07027612c7e4f1d7a556af73
images/raccoon-37.jpg 35559 822a629169b5cd96904071c59c3f55722f7fd015f72aae7e2446d1b818f8e001
images/raccoon-38.jpg 13189 44a964cd55988d23c36905b7a567361c8c51aadf2df368bd550798ca27296aa8
images/raccoon-39.jpg 8436 8d6795a87dede6dbf06dc0e6149f740d851660e0e6e38cab9c4513b283806a48
images/raccoon-40.jpg 42826 fdc1c0e71b5f58a62fec5fa35d262ce4403d8cc0a4af311183ce2ad24c99d78a
images/raccoon-41.jpg 124874 9653f0dc1442cdfe968c8958599c80a35772f1761a3cc69eab78d9285ccc0b63
images/raccoon-42.jpg 78344 4988459891174a73bf900cbe3ece77d53109a075705d9834eed06d6b7b68cb92
images/raccoon-43.jpg 23020 f2e1c841fe5f624d41c09f1062b8567ff395b31d21b9e9b930b5d763d3b8d7e1
images/raccoon-44.jpg 21410 2beb3273002ddeeda468e387f8e478315f29ab22941e2b86959a3c523657d15b
images/raccoon-45.jpg 102831 a8e127b51fa44ad0aa3a367500821b9fa830a9f63d23d22412a31d4a49de22ce
images/raccoon-46.jpg 30730 6b51d5b008413bc1cda064f062214048582dc30f33c3d0da93f64a9eae0c3b81
images/raccoon-47.jpg 21044 d025f03894834b276dc8efc8608c764c4bffda7c10d5d71068b1cf358f8d9ef1
images/raccoon-48.jpg 28358 7dd3d1402450afe4d3164ac421395f5afe415fe9b7e4caf3d9d1d6b7ce86d18a
images/raccoon-49.jpg 70596 7cbd3fa4166e678a02238d27d39d4b1491bd94902aa4b88f4bd96f4740a20bfb
images/raccoon-50.jpg 23049 859a0a1995649fd4630bd5a90062d3613740e003fc059297a9278ea47fb1bafc
images/raccoon-51.jpg 138819 c62d0b3c07306712986e8e262a1e598d29fbce3f0c05870d3e33dea6f9d1b3eb
images/raccoon-52.jpg 141878 ae423ee2fe6f4ea0efc92dafcb909604150e7fd1c6b363fa435df7fb2e824278
images/raccoon-53.jpg 12375 23a9db8839c6f96c8b7f99ee78fdf61c97833c035a62706252827aacd6ef2bbd
images/raccoon-54.jpg 67341 ae6771747a50aa4ef34aa4e4ba0fc7993604966cfbbc65f5c41d2b2b6a381024
images/raccoon-55.jpg 103548 fb3c0b13c86b84505778b998174ff1745aa99966efe2f74b72425e50f7f29956
images/raccoon-56.jpg 28592 0c6dcd250c6ecf982508d026fe419a61cccbe4568865476937a6e5abcb9f5310
images/raccoon-57.jpg 117582 5b0b820661e1d4bbe60606ed11dce01ebb986ad9ec85a4a6933232b5017c0153
images/raccoon-58.jpg 15770 f9c33db602ea9f4c8b92a1caca37922dee756c102fef11ddfcc88bbacce61a3f
images/raccoon-59.jpg 87724 f2e7f11ad2015dc6da482d9662aed6d835ec3231af477137f78a2e73005deb1c
images/raccoon-60.jpg 11964 8044425b49174cc1a8124304dc9295d241c7fbddb30ea821a022433ef928e89e
images/raccoon-61.jpg 24022 24928f759533a523eb1f08a3313d36209f2b5621919ee31f54e665ad474acbb4
images/raccoon-62.jpg 98746 508dc560c066184a6cb54bd16c2fbd3607b158637720352e06ba0d232770b058
images/raccoon-63.jpg 111481 ef6f1a98a53d2d953da8af4d3aa8a1a820ab9d6808692982c650315ae88afd14
images/raccoon-64.jpg 18136 cf554eb96f96d0baebfaa7f30613ee58d7b522d3f1a4a81d11d51bf86f4f4e6d
images/raccoon-65.jpg 22595 ad238d7c47ec41d17721c049233b6e339aeb76fcafb4ebda6efe17d6f6f245ed
images/raccoon-66.jpg 108048 a4736d5ef3941358a9b26dd7b3d5ab14351def90361da9014c5ef718706bd710
images/raccoon-67.jpg 23936 1f8cee283919ec52180026171f08254cd1f12469934082ca6c061a49f22b2b7f
images/raccoon-68.jpg 96389 b0b03a3abec89fe6954ef5eaa49d601acc0172037ed706049f59790e1d544616
images/raccoon-69.jpg 17359 f6cc3fd4780bb80e13b447fa378c56ec7f1821125f8da134a8d5ccf067fdff3c
images/raccoon-70.jpg 81934 9f265dc8aae7db1392dd224f8383681000cc331a60dbd35b7bc66f37bb46625b
images/raccoon-71.jpg 98257 a01219bd6d69099ff864f92a0157bf11c6bd0e43f715e4911ffbfecc23ebafa5
images/raccoon-72.jpg 75260 2d6acfcc2c4e9b394cabd1a42e36e332da455e2704d37fed7b32cbd2a3cc133a
images/raccoon-73.jpg 21076 3109f2aa949376ad0468068e82a7572001a3c78dc5c4317c6559cae7af864da9
images/raccoon-74.jpg 141878 ae423ee2fe6f4ea0efc92dafcb909604150e7fd1c6b363fa435df7fb2e824278
images/raccoon-75.jpg 226921 647fd08c0a2489def3a6dd5abc93e9cacea7f90e008670cc25475c0511f75013
images/raccoon-76.jpg 18076 2501825227f58a2e58037c6c2a83858eb22c2f843e09089f41124f8c85f0c434
images/raccoon-77.jpg 47992 bd4215b47103ba1929fb71beec490e283226de4b566eabd395501323ce9b7fb6
images/raccoon-78.jpg 13941 39715c4ba99b50111133c2763d0a73b9f329eedf5f304cd804c10372741e3689
images/raccoon-79.jpg 103430 43163d3773954b11f5ee7dd59f54904c4eff5cd64a54e110b4258f3be6bcaa82
images/raccoon-80.jpg 14163 510e011b785631a9137720b65a9b78110f49d5f10bd8d69671a8573f0f876c7d
images/raccoon-81.jpg 106985 56cd3af3b5f7529b6cc073f8d250a3ebef1c069f6c7cfe1b844b96429a37aff7
images/raccoon-82.jpg 81553 dfe3c3606e210b1ad2d41cd3b47dfce1a40e6902985e8a712201ca7590593008
images/raccoon-83.jpg 43944 1f2d7e6a968705535ca189220677d64c613e34bcb9d6895907414af6e1c60a1c
images/raccoon-84.jpg 11521 2e08e91fd25c7c0643595bbeb6bb0d618fb1adb71f8ba7b4f3b12d52fe41a2d2
images/raccoon-85.jpg 72369 ae021e997bae5e490f7067bbb1c1b1b5a9805cfb8e14cfdc34a7663fa28ff2fe
images/raccoon-86.jpg 41105 fc1bbcd727d2aaac8565acc0b23194995d7c0c96558dfe06b9a6cf39f8bf96fb
images/raccoon-87.jpg 22258 3382fe7e9f1e6ba04c9635d19099b22f9664d782b6457254adb26c5e5fd6b976
images/raccoon-88.jpg 201214 951ca2912bf0c8fdbcc940e61b306da4cbe590fd76b9c4fc5ee7389c1ba49244
images/raccoon-89.jpg 14576 76834e058971f5b61f2b20264a1bd478b099c68368484fa549819576f5ab2d8d
images/raccoon-90.jpg 92866 b4b36c4953cc108497ff7b99fce01c57819b0001deef22449162c72ef7dd1772
images/raccoon-91.jpg 37439 34b0d5f4c26fee065a6d1d2da8d48be3954afc1a112def42f63679722de48fdd
images/raccoon-92.jpg 133540 14e38f7330255b511fd8a026c63ba06dd01414bcb82460596d71a1dd5e446d1e
images/raccoon-93.jpg 13345 d4090c89feac30959d70c9508a1de78e17079a089dbc5d572591ca521c6a184e
images/raccoon-94.jpg 151833 66def5eea52b51624d847ebea7986c5e27c50820c6acef9e47d2aa264ad7a4bc
images/raccoon-95.jpg 30952 3a8e36b91511cb8fd492676581c5df409a6bb1369261ae1a4f0d47d5f2d21d12
images/raccoon-96.jpg 20668 48ba0bff74b1c767d3ffb5a11c4a79db0d3df4a99e49e5d348acaf2544595529
images/raccoon-97.jpg 82759 1453250317c53926797aacbcb28de7afc54fb7edd2d48080d2cdb1eb2faaba1d
images/raccoon-98.jpg 22595 ad238d7c47ec41d17721c049233b6e339aeb76fcafb4ebda6efe17d6f6f245ed
images/raccoon-99.jpg 47711 a11f9e7c191621b5bf1a23266d035b2a73b4924436cd5b1b05d3f0b54c374ed7
images/raccoon-100.jpg 118176 0c2ba9e32dbc2f29b80648ba403d39b46ce2a0fe629e064bc383dd00694c5d8c
images/raccoon-101.jpg 124554 96de14aec2c74be4c5544c32a7dfc9902ad230d362afbce6b624fa44f8591aeb
images/raccoon-102.jpg 17123 05557cbde79a6effa71abcf48497afec79ff1729dd98bd66ecd30b7705e80e78
images/raccoon-103.jpg 173619 7ae9a07668b2acda9f6fb1ac14fcfa3bcfa3658eeb77f7b7e19a73b8a7fdbc23
images/raccoon-104.jpg 41618 caa4ab877f30d746c6dbd09ade25fcb499dff7e5922139958beae6f1aae6124e
images/raccoon-105.jpg 99844 8476d9c252f2cdc6c282b727ccdc9821c994436c2466cf15b801b08bb26dca28
images/raccoon-106.jpg 13337 96b0211bbfb84aa101253749540800a882d3a9b53690627574c437e327b6b0aa
images/raccoon-107.jpg 95486 3732e6f6b2242e2fc0e59742850ff7f0c909e3da1418c7b19fd95d15334378bf
images/raccoon-108.jpg 92585 63fd00d01b9385301db3fe2cd1ab495a2064d323c8a441d1506a600d2a3e401f
images/raccoon-109.jpg 18709 9e904dfdeb7302b5a1238a0bbc5e3e60e9e9b4e20747a0b8922f532661f81b0d
images/raccoon-110.jpg 13357 d1d5e4a874cf7acd722bc5b2996451f214eb347419177fe0a0dc3adfa3903683
images/raccoon-111.jpg 137606 bd7cbb1dc5d45e4c7c9f0fc4e0a93093f4aba0bf0438e5eec5d15047a92fcc0f
images/raccoon-112.jpg 162431 55d38d7e70786e69763945b07f9b0f45ce80e76b6e1b6f718aa3d37800f1ed3a
images/raccoon-113.jpg 249753 db50f7f52499accfdfa8fedc04b697751ce2fdd447af3422c3895e31aa6b2287
images/raccoon-114.jpg 88708 84903fb2d8ce761f26fb2dc02998be9f76c361d4070660b0e3068953d2f0f282
images/raccoon-115.jpg 185996 b4fa6d8f6b5782fa16799bfa74a19d1ac6cc251643d9ab5eb00d66a2273378d1
images/raccoon-116.jpg 117130 89f8f2d9efe19258b4e36d8ff6888158c3b9e3caeec1bf324e1144c549e8f1c2
images/raccoon-117.jpg 228589 bf9c504f595ed21d4d0c3276ce2f89c8fad187a570a5d16aeb7433c1c16c0d6b
images/raccoon-118.jpg 43888 c148c32dbebeabb0fbb844f9703d250c69e0df952d1b9594569c05d7c8e2cdec
images/raccoon-119.jpg 117021 6e98e8c7e264f40be11c953dc4b7558a41c4883e1f892702899018aa7b16291b
images/raccoon-120.jpg 43944 1f2d7e6a968705535ca189220677d64c613e34bcb9d6895907414af6e1c60a1c
images/raccoon-121.jpg 40366 1aa572713a389d2905a1dd236d612e5c9dcc359369c0814c49c86cba0115c334
images/raccoon-122.jpg 16375 6d38c3a42b5504685bca0187d89d65a14f16d92489884acab19707132de5bfff
images/raccoon-123.jpg 76358 9bdee84a13fca5860a1154909299c56cccb1218eb896e7a6cb27b21db53a4540
images/raccoon-124.jpg 13783 9beb6f9965bdd23ce843e394c50d0c4c2d841dc2a31e9292f0b1b34a474c342f
images/raccoon-125.jpg 10228 215f1aaae0bcadc5d2718319449512db85998d9468e64b7dac718cc823310693
images/raccoon-126.jpg 13825 bbc1a4fcf6dad1226625a9c5f4451b610b1578d01c228947a8b05a3a38b6c5ab
images/raccoon-127.jpg 12239 da47cf152b22afce3c80a11ebfcb5b1be610e0e6cfb71268b6d4a8033ae1792e
images/raccoon-128.jpg 12469 59c9756bfbc3cc1b4dce2e3622621f08b93d355ab918a7672e8b67bd1e7cc092
images/raccoon-129.jpg 53737 c8548ad59cad11bf4d44a162577c131bb6cb05286f4c8f0a61214665eebedd7c
images/raccoon-130.jpg 166203 6a1189633b326c527bb71bd3463375f2e0cc30ffd561adfd709665e36552bb08
images/raccoon-131.jpg 8941 cd79be5f19b20351568a00c9f452207abfe27649c154d1d7d5b4213784003e61
images/raccoon-132.jpg 9804 cafc9516f1e7b45271fc7c57c4fb3d6d44f34c4ab184ff7f6aa0b9c3ed2fdc5a
images/raccoon-133.jpg 118657 87aff32ccfa935b23009bb81f781aae7a3a217c75a79150056a8f249e824d71e
images/raccoon-134.jpg 18076 e37bda01b565d28dacaa6573948b667fa6cde1399b30998a43dc6859b3a53b37
images/raccoon-135.jpg 131510 e6f69c583062f42bd8b8a106f446724a729ca0c6b692f6ddc5748838f7a31730
images/raccoon-136.jpg 16647 a49fd8d038396ec35e73239d77e717753ccf370c67946624870ac8adb5a7c811
images/raccoon-137.jpg 42933 0c8b9e8876f0e1cc3f8fd742bde17699567627b1014bc0a5de08181cc371b727
images/raccoon-138.jpg 18902 b411366ae0cd95e31e5372584854beba7a600358987330f91e7196571d498705
images/raccoon-139.jpg 15716 a5ced45d83a496a9df312382852d029ec74075c97ae852ebd5d7ea86a15cc4c9
images/raccoon-140.jpg 14772 045778b0e12d42157247e002e90b3631fc4cfdb6a3e0b7f807f0d232c88d8705
images/raccoon-141.jpg 24739 72255349678d710ad148084f361cb25f3173054d14e43205df1fb1a424ca1fa5
images/raccoon-142.jpg 219400 e702dc8489df7b7c9ebc4058fbc17eef096a0e23e67e1d6edda2950c4d1c7148
images/raccoon-143.jpg 10949 f1e9d909cb87cb0058f6db6abc30775184267061c78e15abb3d1806f4b4dcc27
images/raccoon-144.jpg 46055 d2a102713134082b91b5f53997e7a1a086c55cb1c1bfb2e45318ac9d55f39aa9
images/raccoon-145.jpg 142329 80c1f10d4a295c8436bb6760f491786088595322779ad955c0f96a22b39f9362
images/raccoon-146.jpg 23137 20c435b91d34244bcb88d38397604bca148b431282eb03abdaea2fd9883d00db
images/raccoon-147.jpg 133818 08cc6b5e753d175262df62ec7433df0dbccb18211d316a95aec8ac45c05bc8fb
images/raccoon-148.jpg 47645 65d6286905167794c352c73c65df7b138d3ea2b075b77f9a9c3e06c6c5e4ba79
images/raccoon-149.jpg 16040 b5ee6b32330085d719500dcf42e70a1288aede05671b0161fb0e156d1470b801
images/raccoon-150.jpg 3662 995d73e589d898942cdf836026bb35103831695d1f6c49c326c437d2bc7123c4
images/raccoon-151.jpg 7653 4e28b322e86420dbfaf3dd13a51a96f8e967f4a136cd45e7ba3a4073c3fed2de
images/raccoon-152.jpg 13280 9b640a400ea3e3f96a552aa3b8236b5241c0b13f15ef7adda6bd3561fb1b6ec1
images/raccoon-153.jpg 107197 d5ecf8cd39471c876dcf1794c65ec9d6b5530b985216c68d74be8ff858c4f174
images/raccoon-154.jpg 107800 e46c9cbe6b24122c29990e5a3b7a689da2ee9158f600144b876876a0cfc611d3
images/raccoon-155.jpg 9874 ea3a8fd839d6446324e544af9b17fd7b7f6649f58faecf945662446ce7e16183
images/raccoon-156.jpg 15830 8c44f1c3734e853c43668c6e349810f550dd443c10e2766178dfbeeed8d2d3ee
images/raccoon-157.jpg 12488 3a5ff066682940853c9e318f0e11851925278ef69ebc443f9759ed74abfbf959
images/raccoon-158.jpg 22077 ddefb4dbb37b109f82c35e3b69562211737e4b186cf63eb8ea09766e23ec8997
images/raccoon-159.jpg 9487 51c5a4e73dc2c3104d58d8f28baac0dd3d36dc4f71ef6ccef49bb5e883b4da5b
images/raccoon-160.jpg 14434 7de8cdd2416a8f9c35ffa70b08a4f2bc2993709f9495e1dc7c90bb6d279827ec
images/raccoon-161.jpg 40046 be790581f68ef1b41a299273e346294219ab07e5cd08e282d3eefbf099f04afc
images/raccoon-162.jpg 22463 133783bf1c24078d137629be7e7791077a2313e00cb38ab5c77ea11bf3e51137
images/raccoon-163.jpg 11224 49e79e75fccf8ef0ddaf1a954052f0bef9a3f0c1cf8a9647e7eee5c01f198691
images/raccoon-164.jpg 13994 9cb2d3452b13ee47b390f10fc5e012cb1d2b78069600b0f30e82456434196e85
images/raccoon-165.jpg 11355 9cb7071953a3765c3e9b509fcc88f546db14e8ca871c75e5997ed43ce51151a7
images/raccoon-166.jpg 9499 1a22591e15ace720efd9142c8beb0db1841383d85b41c1e19db404f68e4119a8
images/raccoon-167.jpg 15481 3fcee8f4ce66f2333f29553ff7bab84a63f16180c5c4f651cfc84b9178333e5d
images/raccoon-168.jpg 109346 5dc4e254f41ff6b8da14d3faecf65dd9839b2704c0422ebcc8b803e480b94394
images/raccoon-169.jpg 106262 80db285714ef6202acfa0795ae3b7aa0fa269a09088588b9cf837379b60fef3e
images/raccoon-170.jpg 22107 307422767d6536fa74fb2a3a64d6d3780337bc6e6d444e3ab77c04fae6ae4eb0
images/raccoon-171.jpg 14424 bb0dd29aab8fa0ec6d0014f7ef96c4877258590d1498923f44626c4df7b03cda
images/raccoon-172.jpg 45168 545b710b5792e66b0c8221212be70455b5a086f19e868addaf8b3c2efb5cf238
images/raccoon-173.jpg 69464 0df0868d914b863d1f3bf1f55c4f00c6bb84fdc6c49e63399a5af8d87d207d9f
images/raccoon-174.jpg 181753 ff017ed6e2dc82abd902d47e4a0c7bd184527b6209034c955fede2acce988814
images/raccoon-175.jpg 70335 66778cba73e72bba0bfd1b62ca0db4a83e66159bb0e1bc9383c6616a5544af58
images/raccoon-176.jpg 216088 604218931176f1ef28a678c501a22dcb189e70e0b3ade0924002d71298ed070c
images/raccoon-177.jpg 17447 ead7e4659de75b75eb3c2afa83ef4bcca161ac5a0243b859886db66d830a36e2
images/raccoon-178.jpg 18459 73e17e792da14323d05eb3fd52a758df6170f880b8bad1e40c9fb332a138bff1
images/raccoon-179.jpg 105063 37c5560bcb85cd3fc9659212684fd13b51f735aca0b4dce7f83e666997c94899
images/raccoon-180.jpg 49407 ca6763adcc0be43203f58c9840e3cecc69141ea417eebf3876895bf2cf73959b
images/raccoon-181.jpg 108866 71a04b21ee9b9ae6c063a395da3359530e6d29eb4492c4021488ae1f4d943119
images/raccoon-182.jpg 76743 5ecaae995fb880fe69f5d024c4e840eadcc844729245b00c67ceebc04e03ae53
images/raccoon-183.jpg 465820 4baff37dc1cd23bd5333f00db76555af4e1047992755cef20e8dc40217e77f0c
images/raccoon-184.jpg 90158 81389f151502bb22b0a731ef6d236be536326634ca94fac506f85957e0cf4241
images/raccoon-185.jpg 16018 d812b3c5873c5ad6f9a629a459cd297425bcc68a9c3912963dd588d10cfa5b9a
images/raccoon-186.jpg 170403 1156e041869f73aab92bfdf9364afb8071d352a5de7ee8d5dde44aea056469e0
images/raccoon-187.jpg 22491 ff7df5a271e4acb3f771f4b6b89c0f73f414cdf60d7be11c9a21b1bff2850910
images/raccoon-188.jpg 37734 656706fc5bd504f4b9dce8d3bbd9f8cc96dd1c7269b41951a489e9bc691aee0c
images/raccoon-189.jpg 90321 d22582bded513a8768a946488537c44d02398c64f8e242c7354b9b00e582aef5
images/raccoon-190.jpg 16420 108b774605f69d53d6c1213fa7ed4b111fce879acc68b0830efd542f740ca867
images/raccoon-191.jpg 138321 27f262d85fc20d667191956dc1bad1fea99eccd728be1560f1a247add0ff042a
images/raccoon-192.jpg 30030 4257cb8bbb3bfe738a4d538a8b630509f3b725ff00af257f157559be24408f9a
images/raccoon-193.jpg 127524 9b0a394606ec9116a0d5d5588fcd5f83d8a937144441b48cc3c8551c285f3127
images/raccoon-194.jpg 256794 9f72a8c92902f3a3a2373e8b5a6baa16987bee4d4ddec493731e7690389cfbb0
images/raccoon-195.jpg 13731 ff15004a16a1e83bf38ebaf4f05d73ac90b2af2fef0834ba33224e0feb0c9536
images/raccoon-196.jpg 12767 004caf6aab07926785a7a91ce60d05f65275d66041e64add0fd32a4d007605b6
images/raccoon-197.jpg 70606 2f8e047c52a3168a936890089acf2ad5980885cfed9a708f709c71180e341c40
images/raccoon-198.jpg 17674 18d9a01f52699b0df01cc98824162c838ad8865479b4505ebcef62b1525ecae6
images/raccoon-199.jpg 154784 001d91370acdcbd9e290cbfff2aa3d56f7beb38e853ec90f3ed18af6fa60855d
images/raccoon-200.jpg 13329 dd0882d8178b6a072a1c31ceeb6a88f39a3e8a2bd2bf839b7e34a4615ae78624
"""

DATASET = Dataset(
    name="raccoon",
    files=tuple(
        DataFile(path, digest, int(size), _RACCOON_URL + path)
        for path, size, digest in (line.split() for line in _RACCOON_FILES.strip().splitlines())
    ),
    title="Raccoon detection dataset: 200 JPEG images, 217 boxes of one class, PASCAL VOC XML",
    source=f"https://github.com/datitran/raccoon_dataset (commit {_RACCOON_COMMIT})",
    license="MIT (Copyright (c) 2017 Dat Tran); the images are from Google and Pixabay, whose owners may hold rights",
    citation='D. Tran, "Raccoon Detector Dataset", https://github.com/datitran/raccoon_dataset, 2017',
    size="13.4 MB (200 images, 200 XML files)",
)
