"""Text DataModules on the real files: tiny Shakespeare, Multi30k, SST-2.

Sizes are those the datasets' SOURCE.md files state. The tokenizer checks are behavioural:
a name that occurs only in Shakespeare's validation text is a learned BPE token when the whole
text is trained on and not when the DataModule trains; Multi30k's vocabulary is exactly that
of a tokenizer trained on the training sentences and not that of one that also saw val/test;
SST-2's ``%`` occurs in dev only and is ``[UNK]``. Every tokenizer cache lives in tmp_path.
"""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import lightning.pytorch as L
import pytest
import torch

from landmark.data import DataNotFound
from landmark.datamodules import multi30k as m30k
from landmark.datamodules import shakespeare as shk
from landmark.datamodules import sst2 as sst
from landmark.datamodules._text import PaddedBatches, tokenizer_folder
from landmark.datamodules.multi30k import Multi30k, TranslationBatch
from landmark.datamodules.shakespeare import RandomWindows, TinyShakespeare
from landmark.datamodules.sst2 import SST2, ClassificationBatch

SHAKESPEARE_CHARS, SHAKESPEARE_LINES = 1_115_394, 40_000


def on_rank(dm: L.LightningDataModule, rank: int, world_size: int, epoch: int = 0) -> L.LightningDataModule:
    """Pretend ``dm`` runs on one rank of a DDP job (the loaders read rank/world_size from the trainer)."""
    dm.trainer = SimpleNamespace(global_rank=rank, world_size=world_size, current_epoch=epoch)
    return dm


def unwritable(tmp_path: Path) -> Path:
    """A folder that cannot be created, even by root: its parent is a regular file."""
    (tmp_path / "a_file").write_text("not a folder")
    return tmp_path / "a_file" / "tokenizers"


def same(a, b) -> bool:
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b))


# --------------------------------------------------------------------------- tiny Shakespeare


@pytest.fixture(scope="module")
def text(shared_data) -> str:
    return (shared_data / "tinyshakespeare" / "input.txt").read_text()


@pytest.fixture(scope="module")
def chars() -> TinyShakespeare:
    dm = TinyShakespeare(block_size=32, batch_size=8, eval_batch_size=16, steps_per_epoch=5)
    dm.setup("fit")
    return dm


@pytest.fixture(scope="module")
def bpe(tmp_path_factory) -> TinyShakespeare:
    folder = str(tmp_path_factory.mktemp("shk"))
    dm = TinyShakespeare(tokenizer="bpe", vocab_size=2048, block_size=64, tokenizer_dir=folder)
    dm.setup("fit")
    return dm


def test_declarations():
    assert shk.DATASET.name == "tinyshakespeare" and [f.size for f in shk.DATASET.files] == [SHAKESPEARE_CHARS]
    assert m30k.DATASET.name == "multi30k" and len(m30k.DATASET.files) == 6 and len(m30k.PLAIN.files) == 6
    assert sst.DATASET.name == "sst2" and {f.name for f in sst.DATASET.files} == {"train.tsv", "dev.tsv", "test.tsv"}
    for d in (shk.DATASET, m30k.DATASET, sst.DATASET):
        assert d.title and d.source and d.license and d.citation and d.size
        assert all(len(f.sha256) == 64 and f.size for f in d.files)


def test_shakespeare_characters_as_nanogpt(chars, text):
    assert len(text) == SHAKESPEARE_CHARS and text.count("\n") == SHAKESPEARE_LINES
    assert text.startswith("First Citizen:")
    assert chars.vocab_size == 65
    n = int(0.9 * len(text))  # nanoGPT's split
    assert (len(chars.train_tokens), len(chars.val_tokens)) == (n, len(text) - n) == (1_003_854, 111_540)
    assert chars.decode(chars.train_tokens) + chars.decode(chars.val_tokens) == text
    itos = sorted(set(text))
    assert chars.encode("First") == [itos.index(c) for c in "First"]
    assert chars.train_tokens.dtype == torch.int64
    with pytest.raises(ValueError, match="not in the vocabulary"):
        chars.encode("é")


def test_shakespeare_random_windows(chars, text):
    train_text = text[: len(chars.train_tokens)]
    loader = chars.train_dataloader()
    batches = list(loader)
    assert len(batches) == len(loader) == 5
    for x, y in batches:
        assert x.shape == y.shape == (8, 32) and x.dtype == y.dtype == torch.int64
        assert torch.equal(x[:, 1:], y[:, :-1])
        for row_x, row_y in zip(x, y):  # a real window of the training text, y one character on
            start = train_text.find(chars.decode(row_x) + chars.decode(row_y[-1:]))
            assert start >= 0
    # Seeded: a fresh loader draws the same; the next epoch and another seed draw others.
    assert all(same(a, b) for a, b in zip(batches, chars.train_dataloader()))
    assert not same(batches[0], next(iter(loader)))  # second pass = epoch 1
    other = RandomWindows(chars.train_tokens, 32, 8, 5, seed=chars.hparams.seed + 1)
    assert not same(batches[0], next(iter(other)))


def test_shakespeare_random_windows_resume_and_shard(chars):
    full = RandomWindows(chars.train_tokens, 32, 8, 6, seed=3)
    first = [b for _, b in zip(range(2), full)]  # epoch 0, steps 0-1
    everything = list(full)  # epoch 1 (a new pass is a new epoch)
    it = iter(full)
    [next(it) for _ in range(3)]  # epoch 2: three steps, then "checkpoint"
    state = full.state_dict()
    assert state == {"epoch": 2, "batches_seen": 3}
    resumed = RandomWindows(chars.train_tokens, 32, 8, 6, seed=3)
    resumed.load_state_dict(state)
    rest = list(resumed)
    assert len(rest) == 3 and all(same(a, full.batch(2, s)) for a, s in zip(rest, range(3, 6)))
    assert same(first[1], full.batch(0, 1)) and same(everything[0], full.batch(1, 0))
    # DDP: the ranks' blocks are disjoint draws that together are one process's batch of world_size * B.
    ranks = [RandomWindows(chars.train_tokens, 32, 4, 6, seed=3, rank=r, world_size=2).batch(0, 0) for r in range(2)]
    assert not torch.equal(ranks[0][0], ranks[1][0])
    assert same([torch.cat([r[0] for r in ranks]), torch.cat([r[1] for r in ranks])], full.batch(0, 0))


def test_shakespeare_contiguous_windows_and_shards(chars):
    dm = TinyShakespeare(block_size=32, batch_size=100, sampling="contiguous")
    dm._text, dm._itos, dm._stoi, dm._lut = chars._text, chars._itos, chars._stoi, chars._lut  # skip re-reading
    # Token i is i: each window's first token says which window it is.
    dm.train_tokens, dm.val_tokens = torch.arange(len(chars.train_tokens)), chars.val_tokens
    n = (len(chars.train_tokens) - 1) // 32
    x, y = (torch.cat(t) for t in zip(*dm.train_dataloader()))
    assert x.shape == y.shape == (n, 32) and torch.equal(y, x + 1)
    assert torch.equal(x[:, 0].sort().values, torch.arange(n) * 32)  # every window once per epoch,
    assert not torch.equal(x[:, 0], torch.arange(n) * 32)  # shuffled
    assert torch.equal(x - x[:, :1], torch.arange(32).expand(n, 32))  # contiguous
    shards = [torch.cat([x[:, 0] for x, _ in on_rank(dm, r, 2).train_dataloader()]).tolist() for r in range(2)]
    assert len(shards[0]) == len(shards[1]) == -(-n // 2)
    # Disjoint but for the wrap-around padding that evens out the shards (as DistributedSampler).
    assert len(set(shards[0]) & set(shards[1])) <= n % 2 and len(set(shards[0]) | set(shards[1])) == n
    # Validation: the contiguous windows of the validation split, in order.
    dm.trainer = None
    val = list(dm.val_dataloader())
    x = torch.cat([b[0] for b in val])
    y = torch.cat([b[1] for b in val])
    m = (len(chars.val_tokens) - 1) // 32
    assert torch.equal(x.flatten(), chars.val_tokens[: m * 32])
    assert torch.equal(y.flatten(), chars.val_tokens[1 : m * 32 + 1])


def test_shakespeare_bpe_trained_on_training_split_only(bpe, text):
    assert bpe.vocab_size == 2048 and bpe.tokenizer_trained and bpe.tokenizer_path.is_file()
    train, val = text[: int(0.9 * len(text))], text[int(0.9 * len(text)) :]
    # "PROSPERO" occurs 63 times in the validation text and never in the training text.
    assert val.count("PROSPERO") == 63 and "PROSPERO" not in train
    assert "PROSPERO" not in bpe.bpe_tokenizer.get_vocab() and len(bpe.encode("PROSPERO")) > 1
    everything, trainer = bpe._build_bpe()  # the same recipe, shown the whole text: it learns the name
    everything.train_from_iterator(text.splitlines(keepends=True), trainer)
    assert "PROSPERO" in everything.get_vocab()
    # Round trip, byte-exact, of both splits; each split encoded on its own.
    assert bpe.decode(bpe.train_tokens) == train and bpe.decode(bpe.val_tokens) == val
    assert bpe.encode(val) == bpe.val_tokens.tolist()  # encoded line by line = as one string
    assert len(bpe.train_tokens) < len(train) / 2.5  # subwords: several characters a token
    x, y = next(iter(bpe.train_dataloader()))
    assert x.shape == y.shape == (64, 64) and torch.equal(x[:, 1:], y[:, :-1]) and int(x.max()) < 2048


def test_shakespeare_bpe_cache_reused_and_retrained(bpe, tmp_path, monkeypatch):
    folder = bpe.tokenizer_path.parent
    mtime = bpe.tokenizer_path.stat().st_mtime_ns
    again = TinyShakespeare(tokenizer="bpe", vocab_size=2048, tokenizer_dir=str(folder))
    assert again.vocab_size == 2048 and not again.tokenizer_trained  # loaded, not trained
    assert again.tokenizer_path == bpe.tokenizer_path and again.tokenizer_path.stat().st_mtime_ns == mtime
    assert again.bpe_tokenizer.to_str() == bpe.bpe_tokenizer.to_str()
    # A changed BPE setting, or a changed training split, trains a new one beside it.
    smaller = TinyShakespeare(tokenizer="bpe", vocab_size=512, tokenizer_dir=str(folder))
    assert smaller.vocab_size == 512 and smaller.tokenizer_trained and smaller.tokenizer_path != bpe.tokenizer_path
    shorter = TinyShakespeare(tokenizer="bpe", vocab_size=512, val_fraction=0.2, tokenizer_dir=str(folder))
    assert shorter.vocab_size == 512 and shorter.tokenizer_trained
    assert len({bpe.tokenizer_path, smaller.tokenizer_path, shorter.tokenizer_path}) == 3
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        p.name for p in (bpe.tokenizer_path, smaller.tokenizer_path, shorter.tokenizer_path)
    )  # nothing else: no temporary files left
    # The default folder: $LANDMARK_CACHE_DIR, else the user cache; never $LANDMARK_DATA_DIR.
    assert tokenizer_folder("tinyshakespeare", str(tmp_path)) == tmp_path
    monkeypatch.setenv("LANDMARK_CACHE_DIR", str(tmp_path / "c"))
    assert tokenizer_folder("tinyshakespeare") == tmp_path / "c" / "tinyshakespeare"
    monkeypatch.delenv("LANDMARK_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert tokenizer_folder("tinyshakespeare") == tmp_path / "xdg" / "landmark" / "tinyshakespeare"


def test_shakespeare_unwritable_tokenizer_cache_trains_in_memory(bpe, tmp_path):
    folder = unwritable(tmp_path)
    dm = TinyShakespeare(tokenizer="bpe", vocab_size=2048, tokenizer_dir=str(folder))
    with pytest.warns(UserWarning, match="cannot cache the tokenizer"):
        assert dm.vocab_size == 2048
    assert dm.tokenizer_path is None and dm.tokenizer_trained and not folder.exists()
    assert dm.bpe_tokenizer.to_str() == bpe.bpe_tokenizer.to_str()  # deterministic: what the cache would hold
    # A damaged cache file is retrained and replaced, never used.
    good = tmp_path / "good"
    good.mkdir()
    damaged = good / bpe.tokenizer_path.name
    damaged.write_text("{ truncated")
    dm = TinyShakespeare(tokenizer="bpe", vocab_size=2048, tokenizer_dir=str(good))
    with pytest.warns(UserWarning, match="unreadable"):
        assert dm.vocab_size == 2048
    assert dm.tokenizer_trained and damaged.read_text() == bpe.tokenizer_path.read_text()


def test_shakespeare_missing_data_names_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("LANDMARK_DATA_DIR", str(tmp_path / "empty"))
    with pytest.raises(DataNotFound, match=r"input\.txt.*86c4e6aa9db7"):
        TinyShakespeare(data_dir=str(tmp_path)).prepare_data()


def test_shakespeare_fits_in_lightning(chars, tmp_path):
    seen = []

    class Bigram(L.LightningModule):
        def __init__(self, vocab_size: int):
            super().__init__()
            self.table = torch.nn.Embedding(vocab_size, vocab_size)

        def training_step(self, batch, i):
            x, y = batch
            seen.append(x)
            return torch.nn.functional.cross_entropy(self.table(x).flatten(0, 1), y.flatten())

        def validation_step(self, batch, i):
            x, y = batch
            self.log("val_loss", torch.nn.functional.cross_entropy(self.table(x).flatten(0, 1), y.flatten()))

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    trainer = L.Trainer(
        accelerator="cpu", devices=1, max_epochs=2, limit_val_batches=2, logger=False, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False, default_root_dir=tmp_path,
    )
    chars.trainer = None
    trainer.fit(Bigram(chars.vocab_size), datamodule=chars)
    assert len(seen) == 10  # steps_per_epoch = 5, two epochs
    loader = RandomWindows(chars.train_tokens, 32, 8, 5, seed=chars.hparams.seed)
    assert torch.equal(seen[5], loader.batch(1, 0)[0])  # epoch 1's draws, as the trainer's epoch says
    chars.trainer = None


# --------------------------------------------------------------------------- Multi30k


@pytest.fixture(scope="module")
def m30(tmp_path_factory) -> Multi30k:
    folder = str(tmp_path_factory.mktemp("m30k"))
    dm = Multi30k(vocab_size=6000, batch_size=64, eval_batch_size=100, tokenizer_dir=folder)
    dm.setup("fit")
    return dm


def test_multi30k_sizes(m30, shared_data):
    assert set(m30.splits) == {"train", "val"}  # what fit reads
    m30.setup("test")
    for split, n in m30k.SIZES.items():
        src, tgt, src_len, tgt_len = m30.splits[split]
        assert len(src) == len(tgt) == len(src_len) == len(tgt_len) == n
        assert len(m30k.read_split(split, "en")) == len(m30k.read_split(split, "de")) == n
    assert (29_000, 1_014, 1_000) == tuple(m30k.SIZES.values())
    # The gzipped originals and the plain copies hold the same sentences.
    plain = (shared_data / "multi30k" / "val.de").read_text(encoding="utf-8").splitlines()
    assert m30k.read_split("val", "de") == plain
    assert m30.src_vocab_size == m30.tgt_vocab_size == 6000 and m30.src_tokenizer is m30.tgt_tokenizer  # joint


def test_multi30k_reads_unzipped_copies_when_only_they_are_there(shared_data, tmp_path, monkeypatch):
    monkeypatch.setenv("LANDMARK_DATA_DIR", str(tmp_path / "empty"))
    for f in m30k.PLAIN.files:
        (tmp_path / f.name).symlink_to(shared_data / "multi30k" / f.name)
    assert m30k.read_split("val", "de", str(tmp_path)) == m30k.read_split("val", "de", str(shared_data / "multi30k"))
    (tmp_path / "train.en").unlink()
    with pytest.raises(DataNotFound, match=r"train\.en\.gz"):  # the message names the canonical files
        m30k.read_split("val", "de", str(tmp_path))


def test_multi30k_vocabulary_from_training_split_only(m30):
    def train_on(splits):
        tok, trainer = m30._build()
        texts = [s for split in splits for lang in ("en", "de") for s in m30k.read_split(split, lang)]
        tok.train_from_iterator(texts, trainer)
        return tok.get_vocab()

    assert m30.src_tokenizer.get_vocab() == train_on(["train"])
    assert m30.src_tokenizer.get_vocab() != train_on(["train", "val", "test"])


def test_multi30k_round_trip_and_specials(m30):
    for lang, side in (("en", "src"), ("de", "tgt")):
        for s in m30k.read_split("val", lang):
            ids = m30.encode(s, side)
            assert m30.decode(ids, side) == s  # BPE over "▁"-marked words: exact
    ids = m30.encode("A dog runs.", "src")
    assert ids[-1] == m30.eos_id and m30.bos_id not in ids
    tgt = m30.encode("Ein Hund rennt.", "tgt")
    assert tgt[0] == m30.bos_id and tgt[-1] == m30.eos_id
    assert m30.decode(tgt + [m30.pad_id] * 3) == "Ein Hund rennt."
    assert (m30.pad_id, m30.unk_id, m30.bos_id, m30.eos_id) == (0, 1, 2, 3)
    assert m30.unk_id in m30.encode("☃", "src")  # never seen in training


def test_multi30k_batches_padded_to_longest(m30):
    val = list(m30.val_dataloader())
    assert [len(b.src) for b in val] == [100] * 10 + [14]
    for b in val + [next(iter(m30.train_dataloader()))]:
        assert isinstance(b, TranslationBatch) and b.src.dtype == b.tgt.dtype == torch.int64
        assert b.src.shape[1] == int(b.src_lengths.max()) and b.tgt.shape[1] == int(b.tgt_lengths.max())
        for seq, lengths in ((b.src, b.src_lengths), (b.tgt, b.tgt_lengths)):
            real = torch.arange(seq.shape[1]) < lengths[:, None]
            assert torch.equal(seq != m30.pad_id, real)  # padding exactly after each sentence
            assert torch.equal(seq.gather(1, lengths[:, None] - 1).squeeze(1), torch.full_like(lengths, m30.eos_id))
        assert (b.tgt[:, 0] == m30.bos_id).all()
    # Validation keeps the file's order.
    en, de = m30k.read_split("val", "en"), m30k.read_split("val", "de")
    assert m30.decode(val[3].src[7], "src") == en[307] and m30.decode(val[3].tgt[7]) == de[307]


def test_multi30k_reversed_source_shares_the_tokenizer(m30):
    rev = Multi30k(vocab_size=6000, reverse_source=True, tokenizer_dir=str(m30.tokenizer_paths["en"].parent))
    s = "Two dogs play in the snow."
    assert rev.encode(s) == m30.encode(s)[:-1][::-1] + [m30.eos_id] and not rev.tokenizer_trained
    assert rev.decode(rev.encode(s), "src") == s
    back = Multi30k(src_lang="de", tgt_lang="en", vocab_size=6000, tokenizer_dir=str(m30.tokenizer_paths["en"].parent))
    assert back.encode("Ein Hund.", "src") == m30.encode("Ein Hund.", "tgt")[1:] and not back.tokenizer_trained


def test_multi30k_bucketing_seeded_sharded_resumable(m30):
    src_len = m30.splits["train"][2]

    def padding(loader) -> float:
        return 1 - int(src_len.sum()) / sum(b.src.numel() for b in loader)

    plain = Multi30k(bucket=False, batch_size=64)
    plain.splits = m30.splits
    assert padding(m30.train_dataloader()) < 0.05 < padding(plain.train_dataloader())
    loader = m30.train_dataloader()
    epoch0 = loader.batches()
    assert torch.equal(torch.cat(epoch0).sort().values, torch.arange(29_000))  # every pair once
    assert all(same(a, b) for a, b in zip(epoch0, m30.train_dataloader().batches()))  # seeded
    loader.epoch = 1
    assert not same(epoch0, loader.batches())
    # DDP: equal, disjoint shards covering the set.
    shards = [torch.cat(on_rank(m30, r, 2).train_dataloader().batches()) for r in range(2)]
    m30.trainer = None
    assert len(shards[0]) == len(shards[1]) == 14_500
    assert torch.equal(torch.cat(shards).sort().values, torch.arange(29_000))
    # Resume mid-epoch: the same remaining batches.
    loader = m30.train_dataloader()
    it = iter(loader)
    [next(it) for _ in range(4)]
    state = loader.state_dict()
    assert state == {"epoch": 0, "batches_seen": 4}
    resumed = m30.train_dataloader()
    resumed.load_state_dict(state)
    assert same(next(iter(resumed)), next(it))


def test_multi30k_separate_wordpiece(tmp_path):
    dm = Multi30k(
        tokenizer="wordpiece", joint=False, vocab_size=3000, src_lang="de", tgt_lang="en", tokenizer_dir=str(tmp_path)
    )
    assert dm.src_vocab_size == dm.tgt_vocab_size == 3000 and dm.src_tokenizer is not dm.tgt_tokenizer
    assert sorted(p.name.split("-")[1] for p in tmp_path.iterdir()) == ["de", "en"]
    assert "##" in "".join(dm.tgt_tokenizer.get_vocab())
    for s in m30k.read_split("val", "en")[:300]:
        assert dm.decode(dm.encode(s, "tgt")) == " ".join(s.split())  # exact up to runs of whitespace
    with pytest.raises(ValueError, match="'en' and 'de'"):
        Multi30k(src_lang="en", tgt_lang="en")


# --------------------------------------------------------------------------- SST-2


@pytest.fixture(scope="module")
def sst2(tmp_path_factory) -> SST2:
    dm = SST2(vocab_size=6000, batch_size=32, eval_batch_size=100, tokenizer_dir=str(tmp_path_factory.mktemp("sst2")))
    dm.setup("fit")
    return dm


def test_sst2_sizes_and_labels(sst2):
    assert set(sst2.splits) == {"train", "val"}  # what fit reads
    sst2.setup("test")
    counts = {split: Counter(sst2.splits[split][2].tolist()) for split in ("train", "val", "test")}
    assert counts["train"] == {1: 37_569, 0: 29_780}
    assert counts["val"] == {1: 444, 0: 428}
    assert counts["test"] == {-1: 1_821}
    text, _ = sst.read_split("train")
    assert text[0] == "hide new secretions from the parental units"  # trailing space dropped


def test_sst2_wordpiece_from_training_split_only(sst2):
    train, _ = sst.read_split("train")
    dev, _ = sst.read_split("val")
    assert not any("%" in s for s in train) and sum("%" in s for s in dev) == 1
    assert "%" not in sst2.tokenizer.get_vocab() and "##%" not in sst2.tokenizer.get_vocab()
    (sentence,) = [s for s in dev if "%" in s]
    assert sst2.tokenizer.token_to_id("[UNK]") in sst2.encode(sentence)
    assert sst2.vocab_size == 6000 and sst2.tokenizer.token_to_id("[PAD]") == 0


def test_sst2_batches(sst2):
    batches = list(sst2.val_dataloader())
    assert [len(b.labels) for b in batches] == [100] * 8 + [72]
    for b in batches + [next(iter(sst2.train_dataloader()))]:
        assert isinstance(b, ClassificationBatch)
        assert b.input_ids.dtype == b.attention_mask.dtype == b.labels.dtype == torch.int64
        lengths = b.attention_mask.sum(1)
        assert b.input_ids.shape == b.attention_mask.shape and b.input_ids.shape[1] == int(lengths.max())
        assert torch.equal(b.input_ids != sst2.pad_id, b.attention_mask.bool())
        assert (b.input_ids[:, 0] == sst2.cls_id).all()
        assert (b.input_ids.gather(1, lengths[:, None] - 1) == sst2.sep_id).all()
    dev, labels = sst.read_split("val")
    # dev's order; BERT's decoder joins punctuation ("fun ." -> "fun."), so compare without spaces
    assert sst2.decode(batches[2].input_ids[5]).replace(" ", "") == dev[205].replace(" ", "")
    assert batches[2].labels[5] == labels[205]
    # Shards and seeds as for the other loaders.
    shards = [torch.cat(on_rank(sst2, r, 3).train_dataloader().batches()) for r in range(3)]
    sst2.trainer = None
    assert {len(s) for s in shards} == {22_450} and len(set(torch.cat(shards).tolist())) == 67_349


def test_sst2_max_length_and_given_tokenizer(sst2, tmp_path):
    folder = sst2.tokenizer_path.parent
    short = SST2(vocab_size=6000, max_length=8, tokenizer_dir=str(folder))
    long_sentence = "a " * 50
    ids = short.encode(long_sentence)
    assert len(ids) == 8 and ids[0] == short.cls_id and ids[-1] == short.sep_id and not short.tokenizer_trained
    # A tokenizer.json, or a BERT vocab.txt, given instead of training one: the same ids.
    sentence = "it 's a charming and often affecting journey ."
    given = SST2(tokenizer_file=str(sst2.tokenizer_path), tokenizer_dir=str(unwritable(tmp_path)))
    assert given.encode(sentence) == sst2.encode(sentence)
    vocab = sst2.tokenizer.get_vocab()
    (tmp_path / "vocab.txt").write_text("".join(t + "\n" for t in sorted(vocab, key=vocab.get)))
    from_vocab = SST2(tokenizer_file=str(tmp_path / "vocab.txt"))
    assert from_vocab.encode(sentence) == sst2.encode(sentence) and from_vocab.vocab_size == 6000
    with pytest.raises(FileNotFoundError, match="nope.json"):
        SST2(tokenizer_file=str(tmp_path / "nope.json")).prepare_data()


# --------------------------------------------------------------------------- the batch loader


def test_padded_batches_drop_last_and_state():
    n = 103
    lengths = torch.randint(1, 9, (n,), generator=torch.Generator().manual_seed(0))
    seqs = torch.zeros(n, 8, dtype=torch.int64)
    loader = PaddedBatches((seqs, lengths, torch.arange(n)), lambda rows: rows[2], 10, shuffle=True, bucket=True,
                           sort_key=lengths, pool=3, drop_last=True, seed=5)
    assert len(loader) == 10 and [len(b) for b in loader] == [10] * 10
    batches = loader.batches()
    for b in batches:  # bucketed: each batch within a pool sorted by length
        assert torch.equal(lengths[b], lengths[b].sort().values)
    with pytest.raises(ValueError, match="sort_key"):
        PaddedBatches((seqs,), lambda r: r, 4, bucket=True)


def test_shakespeare_resume_mid_epoch_through_lightning(chars, tmp_path):
    """A run stopped after 3 steps and resumed from its checkpoint sees the windows of an unbroken run."""

    class Recorder(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(()))
            self.seen = []

        def training_step(self, batch, i):
            self.seen.append(batch[0].clone())
            return self.w * batch[0].float().mean()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.0)

    def run(max_steps, **kw):
        dm = TinyShakespeare(block_size=16, batch_size=4, steps_per_epoch=5)
        dm._text, dm._itos, dm._stoi, dm._lut = chars._text, chars._itos, chars._stoi, chars._lut
        dm.train_tokens, dm.val_tokens = chars.train_tokens, chars.val_tokens
        model = Recorder()
        trainer = L.Trainer(
            accelerator="cpu", devices=1, max_steps=max_steps, limit_val_batches=0, logger=False,
            enable_progress_bar=False, enable_model_summary=False, default_root_dir=tmp_path,
            callbacks=[L.callbacks.ModelCheckpoint(dirpath=tmp_path, every_n_train_steps=3, save_top_k=-1)],
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # no validation_step; resuming mid-epoch
            trainer.fit(model, datamodule=dm, **kw)
        return model.seen

    full = run(8)  # crosses into the second epoch
    resumed = run(8, ckpt_path=str(next(tmp_path.glob("*step=3.ckpt"))))
    assert len(full) == 8 and len(resumed) == 5
    assert all(torch.equal(a, b) for a, b in zip(full[3:], resumed))
