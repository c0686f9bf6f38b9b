"""Multi30k (Task 1) English-German image descriptions, for sequence-to-sequence translation.

Elliott et al. (2016): 29,000 training, 1,014 validation and 1,000 test (``test_2016_flickr``,
torchtext's "test") sentence pairs, line-aligned ``.en``/``.de`` files, read here from the
gzipped originals of ``multi30k/dataset`` (``data/task1/raw``; the plain ``gunzip -c`` copies that
torchtext-style loaders use are read instead when only they are present). The text is raw:
cased and untokenized; it is NFC-normalised, and ``lowercase`` is an option.

Subwords from the ``tokenizers`` library, trained on the training split only:

- ``bpe``: byte-pair encoding (Sennrich et al. 2016) over whitespace-separated words marked
  with SentencePiece's ``▁``, so decoding gives back the sentence exactly.
- ``wordpiece``: WordPiece (Schuster & Nakajima 2012; BERT) over whitespace-separated words,
  continuation pieces marked ``##``; decoding gives back the sentence up to whitespace (a run
  of spaces, or a no-break space, comes back as one space): punctuation is not split off, so
  there is no guessing where the spaces were.

``joint=True`` trains one vocabulary on both languages' training text (Vaswani et al. 2017
share one source-target vocabulary); ``joint=False`` trains one per language, each of
``vocab_size``. Characters never seen in training become ``<unk>``. The special tokens have
the same ids in every vocabulary: ``<pad>`` 0, ``<unk>`` 1, ``<bos>`` 2, ``<eos>`` 3. The trained
tokenizers are cached (``tokenizer_dir``, else ``$LANDMARK_CACHE_DIR/multi30k``, else
``~/.cache/landmark/multi30k``) under a key of the training text's sha256 and the settings.

Batches are ``TranslationBatch(src, tgt, src_lengths, tgt_lengths)``: ``src`` ``(B, S)`` is the
source sentence's ids then ``<eos>``; with ``reverse_source`` the source ids are reversed
before the ``<eos>``, as Sutskever et al. (2014, section 3.3) fed the source backwards; ``tgt``
``(B, T)`` is ``<bos>``, the target ids, ``<eos>`` (a decoder reads ``tgt[:, :-1]`` and predicts
``tgt[:, 1:]``). Both are int64, right-padded with ``<pad>`` (0) to the longest sequence in the
batch; the lengths ``(B,)`` count the real tokens (masks: ``src != pad_id``). Training batches
are shuffled each epoch (seeded) and, with ``bucket``, made of sentences of similar length
(sorted by source then target length within pools of 100 batches, then the batches shuffled)
so that little is padding; validation and test batches keep the files' order.
"""

from __future__ import annotations

import gzip
import unicodedata
from pathlib import Path
from typing import Literal, NamedTuple, Sequence

from torch import Tensor

from landmark.data import DataFile, DataNotFound
from landmark.datamodules._text import (
    SplitText, cached_tokenizer, encode_ids, pad_rows, splits_for, tokenizer_folder,
)
from landmark.datasets import Dataset

__all__ = ["DATASET", "Multi30k", "TranslationBatch", "SPLITS", "SIZES", "read_split"]

_RAW = "https://raw.githubusercontent.com/multi30k/dataset/a3d2e0d26b56f3846f66a952536ffed4e401d05a/data/task1/raw/"
_GZ = {
    "test_2016_flickr.de.gz": ("9204244e408ccb38d2a55cfcd344df15005fc42a07a6e55ca6c52b6ababb8cc8", 22890),
    "test_2016_flickr.en.gz": ("611d361c6334bc7246101d48097c13cf5c4413c5befc793cc629934359d532d9", 21077),
    "train.de.gz": ("726e39b2fa9eb9ffb6dc763fb35a179f80fae06ffc5d28b6ace5faa883de28a6", 637044),
    "train.en.gz": ("d79cfa999dd4c51d2cb42499b6796d5a882c3a8a961923c25a898c90f8bbd56f", 568929),
    "val.de.gz": ("f0cba2f995189cf5770f29a8a9a537a3ad3f51657ad873405082ff6863a5e75a", 24681),
    "val.en.gz": ("14f7d25ddd868909a9213e361768460edcacdd6ab9d1e77b92560dc10c10dc28", 21650),
}
_PLAIN = {
    "test_2016_flickr.de": ("4be6b5b3236b79c25475c6bb829800a7ce559e9ba7a1f6c2394fe4d40be46d16", 70649),
    "test_2016_flickr.en": ("399a4382932c1aadd3ceb9bef1008d388a64c76d4ae4e9d4728c6f4301cac182", 62076),
    "train.de": ("2c2b73fd2b548fbcde3a875e0a78d6ee94d498bfdee6bd3eae3945779e9ddf72", 2110398),
    "train.en": ("460a15fbd157e34a7a9957ee388c1ca247fe47af3ef25fb50442af6c274e0fc6", 1801238),
    "val.de": ("660e09eb7e1da2f856ea13ee5ad3cf6d36b3d5b0b733c857e94c5747a3dfc660", 75981),
    "val.en": ("1f2a23d992769b5b3d209b0a10dd0b77c08cceb1f20dfb97ed0aafa49d107227", 63297),
}

DATASET = Dataset(
    name="multi30k",
    files=tuple(DataFile(name, sha, size, _RAW + name) for name, (sha, size) in _GZ.items()),
    title="Multi30k Task 1: English-German descriptions of Flickr30K images (29,000 / 1,014 / 1,000 pairs)",
    source="https://github.com/multi30k/dataset (data/task1/raw)",
    license="no license file; the README allows non-commercial research and educational use "
    "(the Flickr Terms of Use apply)",
    citation="D. Elliott, S. Frank, K. Sima'an, L. Specia, \"Multi30K: Multilingual English-German Image "
    "Descriptions\", Proc. 5th Workshop on Vision and Language, 2016, doi:10.18653/v1/W16-3210",
    size="1.3 MB gzipped (4.2 MB of text): 31,014 English-German sentence pairs",
)
# The same text as torchtext-style loaders keep it, unzipped; read when only these are at hand.
PLAIN = Dataset(name="multi30k", files=tuple(DataFile(name, sha, size) for name, (sha, size) in _PLAIN.items()))

SPLITS = {"train": "train", "val": "val", "test": "test_2016_flickr"}
SIZES = {"train": 29000, "val": 1014, "test": 1000}
LANGS = ("en", "de")
SPECIALS = ("<pad>", "<unk>", "<bos>", "<eos>")
PAD, UNK, BOS, EOS = range(4)


class TranslationBatch(NamedTuple):
    src: Tensor  # (B, S) int64, source ids then <eos>, padded with <pad>
    tgt: Tensor  # (B, T) int64, <bos> target ids <eos>, padded with <pad>
    src_lengths: Tensor  # (B,) int64
    tgt_lengths: Tensor  # (B,) int64


def _locate(data_dir: str | None) -> dict[str, Path]:
    try:
        return DATASET.locate(data_dir)
    except DataNotFound as gz_missing:
        try:
            return {name + ".gz": path for name, path in PLAIN.locate(data_dir).items()}
        except DataNotFound:
            raise gz_missing from None


def read_split(split: str, lang: str, data_dir: str | None = None) -> list[str]:
    """The sentences of one split (``train``, ``val``, ``test``) in one language (``en``, ``de``)."""
    if split not in SPLITS or lang not in LANGS:
        raise ValueError(
            f"no Multi30k file for split {split!r}, language {lang!r}: splits {list(SPLITS)}, languages {LANGS}"
        )
    path = _locate(data_dir)[f"{SPLITS[split]}.{lang}.gz"]
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return raw.decode("utf-8").removesuffix("\n").split("\n")  # not splitlines(): U+2028 is not a line end here


class Multi30k(SplitText):
    """Multi30k English-German sentence pairs as padded subword-id batches.

    Args:
        data_dir: folder holding the ``{train,val,test_2016_flickr}.{en,de}.gz`` files (or their
            unzipped copies), checked by sha256; if unset, the cache
            (``$LANDMARK_DATA_DIR/multi30k``, else ``~/.cache/landmark/multi30k``).
        src_lang: the source language, ``en`` or ``de``.
        tgt_lang: the target language, the other one.
        tokenizer: ``bpe`` or ``wordpiece`` subwords, trained on the training split.
        vocab_size: tokens per vocabulary, special tokens included.
        joint: one vocabulary for both languages (True) or one per language.
        lowercase: lowercase the text before tokenizing.
        min_frequency: a merge (BPE) or piece (WordPiece) must occur this often.
        reverse_source: feed the source backwards (Sutskever et al. 2014); ``<eos>`` stays last.
        max_length: longest sequence kept, special tokens included; longer ones are cut.
        batch_size: sentence pairs per training batch (per process under DDP).
        eval_batch_size: sentence pairs per validation/test batch.
        bucket: batch training pairs of similar length together (seeded).
        shuffle: reshuffle the training pairs every epoch (from ``seed`` and the epoch).
        seed: seeds the shuffling and the bucketing.
        drop_last: drop the last, short training batch.
        tokenizer_dir: folder to cache the trained tokenizers in; default
            ``$LANDMARK_CACHE_DIR/multi30k``, else ``~/.cache/landmark/multi30k``. Unwritable:
            trained in memory, with a warning.
    """

    pad_id, unk_id, bos_id, eos_id = PAD, UNK, BOS, EOS

    def __init__(
        self,
        data_dir: str | None = None,
        src_lang: Literal["en", "de"] = "en",
        tgt_lang: Literal["en", "de"] = "de",
        tokenizer: Literal["bpe", "wordpiece"] = "bpe",
        vocab_size: int = 8000,
        joint: bool = True,
        lowercase: bool = False,
        min_frequency: int = 2,
        reverse_source: bool = False,
        max_length: int = 256,
        batch_size: int = 128,
        eval_batch_size: int = 256,
        bucket: bool = True,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
        tokenizer_dir: str | None = None,
    ) -> None:
        super().__init__()
        if {src_lang, tgt_lang} != set(LANGS):
            raise ValueError(
                f"src_lang and tgt_lang must be 'en' and 'de' in either order, got {src_lang!r} -> {tgt_lang!r}"
            )
        if tokenizer not in ("bpe", "wordpiece"):
            raise ValueError(f"tokenizer must be 'bpe' or 'wordpiece', got {tokenizer!r}")
        if max_length < 3:
            raise ValueError(f"max_length must leave room for <bos>, <eos> and a token, got {max_length}")
        self.save_hyperparameters()
        self._train_text: dict[str, list[str]] | None = None
        self.tokenizers: dict[str, object] = {}  # language -> tokenizers.Tokenizer (the same one when joint)
        self.tokenizer_paths: dict[str, Path | None] = {}  # language -> its cache file (None: in memory only)
        self.tokenizer_trained = False  # was any tokenizer trained by this instance (not loaded)?
        self.splits: dict[str, tuple[Tensor, Tensor, Tensor, Tensor]] = {}  # split -> (src, tgt, src_len, tgt_len)

    # ------------------------------------------------------------------ the tokenizers

    def _normalize(self, lines: Sequence[str]) -> list[str]:
        lines = [unicodedata.normalize("NFC", s) for s in lines]
        return [s.lower() for s in lines] if self.hparams.lowercase else lines

    def _build(self):
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

        h = self.hparams
        if h.tokenizer == "bpe":
            tok = Tokenizer(models.BPE(unk_token="<unk>"))
            tok.pre_tokenizer = pre_tokenizers.Metaspace()  # "▁word" pieces: spaces come back on decoding
            tok.decoder = decoders.Metaspace()
            trainer = trainers.BpeTrainer(
                vocab_size=h.vocab_size,
                min_frequency=h.min_frequency,
                special_tokens=list(SPECIALS),
                show_progress=False,
            )
        else:
            tok = Tokenizer(models.WordPiece(unk_token="<unk>"))
            tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
            tok.decoder = decoders.WordPiece(cleanup=False)
            trainer = trainers.WordPieceTrainer(
                vocab_size=h.vocab_size,
                min_frequency=h.min_frequency,
                special_tokens=list(SPECIALS),
                show_progress=False,
            )
        return tok, trainer

    def _tokenizers_ready(self) -> None:
        if self.tokenizers:
            return
        h = self.hparams
        text = {lang: self._normalize(read_split("train", lang, h.data_dir)) for lang in LANGS}
        self._train_text = text
        folder = tokenizer_folder(DATASET.name, h.tokenizer_dir)
        settings = {
            "model": h.tokenizer, "vocab_size": h.vocab_size, "min_frequency": h.min_frequency, "lowercase": h.lowercase
        }
        groups = [LANGS] if h.joint else [(lang,) for lang in LANGS]
        for langs in groups:
            texts = [s for lang in langs for s in text[lang]]
            tok, path, trained = cached_tokenizer(
                self._build, texts, {**settings, "languages": list(langs)}, folder, f"{h.tokenizer}-{'+'.join(langs)}"
            )
            ids = [tok.token_to_id(t) for t in SPECIALS]
            if ids != [PAD, UNK, BOS, EOS]:
                raise RuntimeError(f"tokenizer {path or '(in memory)'}: special tokens {SPECIALS} have ids {ids}, not 0-3")
            self.tokenizer_trained |= trained
            for lang in langs:
                self.tokenizers[lang], self.tokenizer_paths[lang] = tok, path

    @property
    def src_tokenizer(self):
        self._tokenizers_ready()
        return self.tokenizers[self.hparams.src_lang]

    @property
    def tgt_tokenizer(self):
        self._tokenizers_ready()
        return self.tokenizers[self.hparams.tgt_lang]

    @property
    def src_vocab_size(self) -> int:
        return self.src_tokenizer.get_vocab_size()

    @property
    def tgt_vocab_size(self) -> int:
        return self.tgt_tokenizer.get_vocab_size()

    def _ids(self, lines: Sequence[str], side: str, normalized: bool = False) -> list[list[int]]:
        """Sentences -> ids as in the batches (see ``encode``)."""
        h = self.hparams
        tok = self.src_tokenizer if side == "src" else self.tgt_tokenizer
        lines = lines if normalized else self._normalize(lines)
        rows = encode_ids(tok, lines, add_special_tokens=False)
        if side == "src":
            return [(r[: h.max_length - 1][::-1] if h.reverse_source else r[: h.max_length - 1]) + [EOS] for r in rows]
        return [[BOS] + r[: h.max_length - 2] + [EOS] for r in rows]

    def encode(self, text: str, side: Literal["src", "tgt"] = "src") -> list[int]:
        """One sentence -> its ids as in the batches (source: reversed if so set, then ``<eos>``;
        target: ``<bos>`` ... ``<eos>``)."""
        if side not in ("src", "tgt"):
            raise ValueError(f"side must be 'src' or 'tgt', got {side!r}")
        return self._ids([text], side)[0]

    def decode(self, ids: Sequence[int] | Tensor, side: Literal["src", "tgt"] = "tgt") -> str:
        """Ids -> sentence: stops at the first ``<eos>``, drops ``<bos>``/``<pad>``, undoes the source reversal."""
        ids = ids.tolist() if isinstance(ids, Tensor) else list(ids)
        if EOS in ids:
            ids = ids[: ids.index(EOS)]
        ids = [i for i in ids if i not in (PAD, BOS)]
        if side == "src" and self.hparams.reverse_source:
            ids = ids[::-1]
        tok = self.src_tokenizer if side == "src" else self.tgt_tokenizer
        return tok.decode(ids, skip_special_tokens=False)

    # ------------------------------------------------------------------ Lightning hooks

    def prepare_data(self) -> None:
        # Once per node before setup (Lightning): find the files, train and cache the tokenizers.
        self._tokenizers_ready()

    def setup(self, stage: str | None = None) -> None:
        # Only the splits the stage reads are encoded (``landmark test`` needs no training set).
        h = self.hparams
        self._tokenizers_ready()
        for split in splits_for(stage):
            if split in self.splits:
                continue
            if split == "train":  # read and normalised already, to train the tokenizers
                src_rows = self._ids(self._train_text[h.src_lang], "src", normalized=True)
                tgt_rows = self._ids(self._train_text[h.tgt_lang], "tgt", normalized=True)
            else:
                src_rows = self._ids(read_split(split, h.src_lang, h.data_dir), "src")
                tgt_rows = self._ids(read_split(split, h.tgt_lang, h.data_dir), "tgt")
            if len(src_rows) != len(tgt_rows):
                raise ValueError(f"Multi30k {split}: {len(src_rows)} source but {len(tgt_rows)} target sentences")
            src, src_len = pad_rows(src_rows, PAD)
            tgt, tgt_len = pad_rows(tgt_rows, PAD)
            self.splits[split] = (src, tgt, src_len, tgt_len)

    @staticmethod
    def _collate(rows: tuple[Tensor, ...]) -> TranslationBatch:
        src, tgt, src_len, tgt_len = rows
        return TranslationBatch(src[:, : int(src_len.max())], tgt[:, : int(tgt_len.max())], src_len, tgt_len)

    def _train_sort_key(self) -> Tensor:
        src_len, tgt_len = self.splits["train"][2:]
        return src_len * (int(tgt_len.max()) + 1) + tgt_len  # by source length, then target length
