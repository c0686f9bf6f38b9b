"""SST-2 (GLUE): binary sentiment of movie-review sentences and phrases, for BERT-style fine-tuning.

Socher et al. (2013), the Stanford Sentiment Treebank, in GLUE's binary form (Wang et al.
2019): ``train.tsv`` 67,349 labelled phrases (37,569 positive, 29,780 negative), ``dev.tsv``
872 labelled sentences (444 / 428), ``test.tsv`` 1,821 sentences without labels (GLUE keeps them
for its server). The text is already lowercased and tokenized (spaces around punctuation);
each line's trailing space before the tab is dropped.

Validation is ``dev.tsv`` (what BERT reports as SST-2 dev accuracy); test is ``test.tsv``, whose
labels are -1 (absent): fit a model on train, validate on dev, predict on test.

Tokens: a WordPiece vocabulary as BERT's (Devlin et al. 2019): BERT's normalizer (lowercase,
accents stripped, control characters dropped) and pre-tokenizer (split on whitespace and
punctuation), pieces after the first marked ``##``, special tokens ``[PAD]`` 0, ``[UNK]`` 1,
``[CLS]`` 2, ``[SEP]`` 3, ``[MASK]`` 4; trained with the ``tokenizers`` library on the training
split only and cached (``tokenizer_dir``, else ``$LANDMARK_CACHE_DIR/sst2``, else
``~/.cache/landmark/sst2``) under a key of the training text's sha256 and the settings. Or
``tokenizer_file``: a pre-trained one, a ``tokenizer.json`` (e.g. from the pre-training stage,
or ``bert-base-uncased``'s) or a BERT ``vocab.txt``, whose ids are then used as they are.

Batches are ``ClassificationBatch(input_ids, attention_mask, labels)``: ``input_ids`` ``(B, L)``
int64 is ``[CLS]`` sentence ``[SEP]``, cut to ``max_length`` tokens, right-padded with ``[PAD]``
to the longest sequence in the batch; ``attention_mask`` ``(B, L)`` int64 is 1 on real tokens and
0 on padding; ``labels`` ``(B,)`` int64 is 1 positive, 0 negative, -1 unknown.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple, Sequence

import torch
from torch import Tensor

from landmark.data import DataFile
from landmark.datamodules._text import (
    SplitText, cached_tokenizer, encode_ids, pad_rows, splits_for, tokenizer_folder,
)
from landmark.datasets import Dataset

__all__ = ["DATASET", "SST2", "ClassificationBatch", "read_split", "SIZES"]

_RAW = (
    "https://raw.githubusercontent.com/smolPixel/VAETextImages/bf3c9c24582d9683be81cbe5f589c93fb11bf02a/"
    "data/SST2/original/"
)
_FILES = {
    "train.tsv": ("48eac26399f8456935f81dd9e3a745c1430adb6c62e233ccfe22db4a0d15d1d1", 3806081),
    "dev.tsv": ("54a9c12c77e402fc14d6a66a506f24d999f596b0176eb777c972cccc2f9cc4b0", 94931),
    "test.tsv": ("69a938605609b3e6663b4487918fe1565eb293734e6e520d0366d1d412fd2a13", 197335),
}
DATASET = Dataset(
    name="sst2",
    files=tuple(DataFile(name, sha, size, _RAW + name) for name, (sha, size) in _FILES.items()),
    title="SST-2 (GLUE): binary sentiment of movie-review phrases and sentences (67,349 / 872 / 1,821 unlabelled)",
    source="GLUE SST-2.zip (https://gluebenchmark.com/tasks), as kept in github.com/smolPixel/VAETextImages "
    "(data/SST2/original)",
    license="none stated by the source repository or the SST README",
    citation="R. Socher et al., \"Recursive Deep Models for Semantic Compositionality Over a Sentiment Treebank\", "
    "EMNLP 2013; A. Wang et al., \"GLUE: A Multi-Task Benchmark and Analysis Platform for Natural Language "
    "Understanding\", ICLR 2019",
    size="4.1 MB: 67,349 train, 872 dev, 1,821 test rows",
)
FILES = {"train": "train.tsv", "val": "dev.tsv", "test": "test.tsv"}
SIZES = {"train": 67349, "val": 872, "test": 1821}
SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


class ClassificationBatch(NamedTuple):
    input_ids: Tensor  # (B, L) int64: [CLS] tokens [SEP], padded with [PAD]
    attention_mask: Tensor  # (B, L) int64: 1 real token, 0 padding
    labels: Tensor  # (B,) int64: 1 positive, 0 negative, -1 unknown (test)


def read_split(split: str, data_dir: str | None = None) -> tuple[list[str], list[int]]:
    """(sentences, labels) of ``train``, ``val`` (dev.tsv) or ``test`` (labels -1)."""
    if split not in FILES:
        raise ValueError(f"no SST-2 split {split!r}: choose from {list(FILES)}")
    path = DATASET.locate(data_dir)[FILES[split]]
    lines = path.read_text(encoding="utf-8").removesuffix("\n").split("\n")
    header, rows = lines[0].split("\t"), [line.split("\t") for line in lines[1:]]
    if header == ["sentence", "label"]:
        return [r[0].strip() for r in rows], [int(r[1]) for r in rows]
    if header == ["index", "sentence"]:
        return [r[1].strip() for r in rows], [-1] * len(rows)
    raise ValueError(f"{path}: unexpected header {lines[0]!r}; expected 'sentence<TAB>label' or 'index<TAB>sentence'")


class SST2(SplitText):
    """SST-2 sentences as WordPiece ids with attention masks and labels.

    Args:
        data_dir: folder holding ``train.tsv``, ``dev.tsv`` and ``test.tsv`` (checked by
            sha256); if unset, the cache (``$LANDMARK_DATA_DIR/sst2``, else ``~/.cache/landmark/sst2``).
        tokenizer_file: a trained tokenizer to use instead of training one: a ``tokenizer.json``
            or a BERT ``vocab.txt`` (it must have ``[PAD]``, ``[CLS]`` and ``[SEP]``).
        vocab_size: WordPiece vocabulary size when training one, special tokens included.
        lowercase: lowercase and strip accents (BERT uncased); for a trained tokenizer or a ``vocab.txt``.
        min_frequency: a piece must occur this often to enter the vocabulary.
        max_length: tokens per sentence at most, ``[CLS]`` and ``[SEP]`` included (longer are cut).
        batch_size: sentences per training batch (per process under DDP).
        eval_batch_size: sentences per validation/test batch.
        shuffle: reshuffle the training set every epoch (from ``seed`` and the epoch).
        bucket: batch training sentences of similar length together (less padding).
        seed: seeds the shuffling and bucketing.
        drop_last: drop the last, short training batch.
        tokenizer_dir: folder to cache the trained tokenizer in; default ``$LANDMARK_CACHE_DIR/sst2``,
            else ``~/.cache/landmark/sst2``. Unwritable: trained in memory, with a warning.
    """

    def __init__(
        self,
        data_dir: str | None = None,
        tokenizer_file: str | None = None,
        vocab_size: int = 8000,
        lowercase: bool = True,
        min_frequency: int = 2,
        max_length: int = 128,
        batch_size: int = 32,
        eval_batch_size: int = 256,
        shuffle: bool = True,
        bucket: bool = False,
        seed: int = 0,
        drop_last: bool = False,
        tokenizer_dir: str | None = None,
    ) -> None:
        super().__init__()
        if max_length < 3:
            raise ValueError(f"max_length must leave room for [CLS], [SEP] and a token, got {max_length}")
        self.save_hyperparameters()
        self._train: tuple[list[str], list[int]] | None = None
        self.tokenizer = None  # tokenizers.Tokenizer, after setup() (or any property below)
        self.tokenizer_path: Path | None = None  # the file it came from (None: in memory only)
        self.tokenizer_trained = False  # trained by this instance rather than loaded
        self.splits: dict[str, tuple[Tensor, Tensor, Tensor]] = {}  # split -> (ids, lengths, labels)

    # ------------------------------------------------------------------ the tokenizer

    def _build(self):
        from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

        tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        tok.normalizer = normalizers.BertNormalizer(lowercase=self.hparams.lowercase)
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        tok.decoder = decoders.WordPiece()
        trainer = trainers.WordPieceTrainer(
            vocab_size=self.hparams.vocab_size,
            min_frequency=self.hparams.min_frequency,
            special_tokens=list(SPECIALS),
            show_progress=False,
        )
        return tok, trainer

    def _from_file(self, path: Path):
        from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers

        if not path.is_file():
            raise FileNotFoundError(f"tokenizer_file {str(path)!r} does not exist")
        if path.suffix == ".txt":  # a BERT vocab.txt: one piece per line, the id is the line number
            tok = Tokenizer(models.WordPiece.from_file(str(path), unk_token="[UNK]"))
            tok.normalizer = normalizers.BertNormalizer(lowercase=self.hparams.lowercase)
            tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
            tok.decoder = decoders.WordPiece()
            return tok
        return Tokenizer.from_file(str(path))

    def _tokenizer_ready(self) -> None:
        if self.tokenizer is not None:
            return
        from tokenizers import processors

        h = self.hparams
        if h.tokenizer_file:
            self.tokenizer_path = Path(h.tokenizer_file).expanduser()
            tok = self._from_file(self.tokenizer_path)
        else:
            self._train = read_split("train", h.data_dir)
            settings = {
                "model": "wordpiece",
                "vocab_size": h.vocab_size,
                "min_frequency": h.min_frequency,
                "lowercase": h.lowercase,
            }
            tok, self.tokenizer_path, self.tokenizer_trained = cached_tokenizer(
                self._build, self._train[0], settings, tokenizer_folder(DATASET.name, h.tokenizer_dir), "wordpiece"
            )
        missing = [t for t in ("[PAD]", "[CLS]", "[SEP]") if tok.token_to_id(t) is None]
        if missing:
            raise ValueError(
                f"tokenizer {self.tokenizer_path} has no {', '.join(missing)} token; BERT's inputs need them"
            )
        if h.tokenizer_file is None or tok.post_processor is None:
            cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
            tok.post_processor = processors.TemplateProcessing(
                single="[CLS] $A [SEP]",
                pair="[CLS] $A [SEP] $B:1 [SEP]:1",
                special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
            )
        tok.no_padding()
        tok.enable_truncation(h.max_length)  # counts [CLS] and [SEP]
        self.tokenizer = tok

    @property
    def vocab_size(self) -> int:
        """The vocabulary the model needs (the trained or given tokenizer's size)."""
        self._tokenizer_ready()
        return self.tokenizer.get_vocab_size()

    @property
    def pad_id(self) -> int:
        self._tokenizer_ready()
        return self.tokenizer.token_to_id("[PAD]")

    @property
    def cls_id(self) -> int:
        self._tokenizer_ready()
        return self.tokenizer.token_to_id("[CLS]")

    @property
    def sep_id(self) -> int:
        self._tokenizer_ready()
        return self.tokenizer.token_to_id("[SEP]")

    @property
    def mask_id(self) -> int | None:
        self._tokenizer_ready()
        return self.tokenizer.token_to_id("[MASK]")

    def encode(self, text: str) -> list[int]:
        """A sentence -> ``[CLS]`` ids ``[SEP]``, as in the batches."""
        self._tokenizer_ready()
        return self.tokenizer.encode(text).ids

    def decode(self, ids: Sequence[int] | Tensor) -> str:
        """Ids -> text, special tokens and padding dropped."""
        self._tokenizer_ready()
        ids = ids.tolist() if isinstance(ids, Tensor) else list(ids)
        return self.tokenizer.decode(ids, skip_special_tokens=True)

    # ------------------------------------------------------------------ Lightning hooks

    def prepare_data(self) -> None:
        # Once per node before setup (Lightning): find the files, train and cache the tokenizer.
        self._tokenizer_ready()

    def setup(self, stage: str | None = None) -> None:
        # Only the splits the stage reads are encoded (``landmark test`` needs no training set).
        self._tokenizer_ready()
        for split in splits_for(stage):
            if split in self.splits:
                continue
            text, labels = self._train if split == "train" and self._train else read_split(split, self.hparams.data_dir)
            ids, lengths = pad_rows(encode_ids(self.tokenizer, text), self.pad_id)
            self.splits[split] = (ids, lengths, torch.tensor(labels, dtype=torch.int64))

    @staticmethod
    def _collate(rows: tuple[Tensor, ...]) -> ClassificationBatch:
        ids, lengths, labels = rows
        width = int(lengths.max())
        mask = (torch.arange(width) < lengths[:, None]).long()
        return ClassificationBatch(ids[:, :width], mask, labels)

    def _train_sort_key(self) -> Tensor:
        return self.splits["train"][1]  # by sentence length
