"""Generated tasks match their papers' definitions, are exactly reproducible, shard and resume.

The checks are written from the papers, independently of the generators: the embedded Reber
grammar is recognised by a regular expression, the adding-problem targets are recomputed from
the markers, the temporal-order classes are looked up by the paper's names, and so on.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from types import SimpleNamespace

import lightning.pytorch as L
import pytest
import torch

from landmark.datamodules import long_term, lstm_tasks, seq_tasks, sinusoid
from landmark.datamodules.long_term import EpochBatches, LongTermTasks, seeded
from landmark.datamodules.lstm_tasks import (
    REBER_SYMBOLS, TEMPORAL_SYMBOLS, AddingProblem, EmbeddedReber, TemporalOrder, embedded_reber_next,
)
from landmark.datamodules.seq_tasks import BOS, EOS, PAD, DigitTasks, decode
from landmark.datamodules.sinusoid import SinusoidTasks
from landmark.datasets import Dataset

# --- the embedded Reber grammar (LSTM, Experiment 1) ---------------------------------------------

# The Reber grammar as a regular expression: after B, either T S* X into the node with edges
# X (to the T-loop node) and S (to the end), or P T* V into the node with edges P (back to the
# former) and V (to the end).
_AFTER_X = r"(?:XT*VP)*(?:S|XT*VV)"
_REBER = rf"B(?:TS*X{_AFTER_X}|PT*V(?:V|P{_AFTER_X}))E"
EMBEDDED = re.compile(rf"B(?:T{_REBER}T|P{_REBER}P)E")


def strings_of(x: torch.Tensor, lengths: torch.Tensor) -> list[str]:
    return ["".join(REBER_SYMBOLS[i] for i in row[:n].argmax(-1).tolist()) for row, n in zip(x, lengths)]


@pytest.fixture(scope="module")
def reber():
    dm = EmbeddedReber()
    dm.setup()
    return dm


def test_reber_strings_are_sentences_of_the_embedded_grammar(reber):
    assert len(reber.train_strings) == len(reber.test_strings) == 256
    for s in reber.train_strings + reber.test_strings:
        assert EMBEDDED.fullmatch(s), s
    assert not set(reber.test_strings) & set(reber.train_strings)  # the paper's disjoint test set
    assert {s[1] for s in reber.train_strings} == {"T", "P"}
    assert any("XT" in s or "PX" in s for s in reber.train_strings)  # the loops are exercised


def test_reber_tensors_are_the_strings_one_hot(reber):
    x, legal, lengths = reber.train_set
    assert x.shape == legal.shape == (256, max(map(len, reber.train_strings)) - 1, 7)
    assert strings_of(x, lengths) == [s[:-1] for s in reber.train_strings]
    pad = torch.arange(x.shape[1]) >= lengths[:, None]
    assert x[pad].abs().sum() == 0 and legal[pad].abs().sum() == 0
    assert (x[~pad].sum(-1) == 1).all()


def test_reber_targets_are_the_legal_next_symbols_by_hand():
    got = embedded_reber_next("BTBTSSXXTVVETE")
    want = ["TP", "B", "TP", "SX", "SX", "SX", "XS", "TV", "TV", "PV", "E", "T", "E"]
    assert got == [set(w) for w in want]


def test_reber_targets_hold_every_observed_next_symbol_and_the_remembered_one(reber):
    x, legal, lengths = reber.train_set
    observed: dict[str, set[str]] = defaultdict(set)
    for i, s in enumerate(reber.train_strings + reber.test_strings):
        for t in range(len(s) - 1):
            observed[s[: t + 1]].add(s[t + 1])
    for i, s in enumerate(reber.train_strings):
        sets = [{REBER_SYMBOLS[k] for k in row.nonzero().flatten().tolist()} for row in legal[i, : lengths[i]]]
        for t, allowed in enumerate(sets):
            assert observed[s[: t + 1]] <= allowed, (s, t)  # whatever followed this prefix is legal
            assert len(allowed) in (1, 2)
        assert sets[-2] == {s[1]}  # after the inner E only the second symbol may come


# --- the adding and multiplication problems (LSTM, Experiments 4 and 5) -------------------------


@pytest.mark.parametrize("T", [100, 31])
def test_adding_problem_follows_section_5_4(T):
    n = 20000
    x, target, lengths = AddingProblem(min_length=T).make(n, seeded(1, "test"))
    values, markers = x[..., 0], x[..., 1]
    assert x.shape == (n, T + T // 10, 2) and target.shape == lengths.shape == (n,)
    assert lengths.min() == T and lengths.max() == T + T // 10
    marked = markers == 1.0
    assert (marked.sum(1) == 2).all()  # exactly two marked pairs
    pos = marked.nonzero()[:, 1].view(n, 2)  # the two marked positions of each row, in order
    rows = torch.arange(n)
    # One mark among the first ten pairs, the other among the first T/2 pairs (the first
    # T/2 - 1 still unmarked ones), never the same pair, never the final pair.
    in_first_ten = (pos < 10).any(1)
    assert in_first_ten.all() and (pos[:, 1] < T // 2).all() and (pos[:, 0] != pos[:, 1]).all()
    assert pos[:, 1].max() == T // 2 - 1 and pos.min() == 0  # the whole range is used
    inside = torch.arange(x.shape[1]) < lengths[:, None]
    ends = torch.zeros_like(inside)
    ends[:, 0], ends[rows, lengths - 1] = True, True
    assert (markers[ends & ~marked] == -1.0).all()  # first and final pair: -1 unless marked
    assert (markers[inside & ~ends & ~marked] == 0.0).all()
    assert (x[~inside] == 0).all()  # padding
    assert values.min() >= -1.0 and values.max() <= 1.0
    assert (values[marked[:, 0], 0] == 0.0).all() and marked[:, 0].any()  # "X1 set to zero"
    assert torch.allclose(target, 0.5 + (values * marked).sum(1) / 4.0, atol=1e-6)
    assert target.min() >= 0.0 and target.max() <= 1.0


def test_multiplication_problem_follows_section_5_5():
    x, target, _ = AddingProblem(operation="multiply").make(5000, seeded(2, "test"))
    values, marked = x[..., 0], x[..., 1] == 1.0
    assert values.min() >= 0.0 and values.max() <= 1.0
    assert (values[marked[:, 0], 0] == 1.0).all()  # a marked first pair counts as 1.0
    assert torch.allclose(target, torch.where(marked, values, torch.ones_like(values)).prod(1), atol=1e-6)


# --- temporal order (LSTM, Experiment 6) --------------------------------------------------------

# The paper's rules, by name.
RULES = {
    2: {"XX": "Q", "XY": "R", "YX": "S", "YY": "U"},
    3: {"XXX": "Q", "XXY": "R", "XYX": "S", "XYY": "U", "YXX": "V", "YXY": "A", "YYX": "B", "YYY": "C"},
}
WINDOWS = {2: [(10, 20), (50, 60)], 3: [(10, 20), (33, 43), (66, 76)]}  # 1-based positions


@pytest.mark.parametrize("relevant", [2, 3])
def test_temporal_order_follows_section_5_6(relevant):
    n = 3000
    x, label, lengths = TemporalOrder(relevant=relevant).make(n, seeded(3, "test"))
    assert x.shape == (n, 110, 8) and lengths.min() == 100 and lengths.max() == 110
    names = lstm_tasks.TEMPORAL_CLASSES[relevant]
    seen_classes = set()
    for row, c, length in zip(x, label.tolist(), lengths.tolist()):
        assert (row[:length].sum(-1) == 1).all() and (row[length:] == 0).all()
        s = "".join(TEMPORAL_SYMBOLS[i] for i in row[:length].argmax(-1).tolist())
        assert s[0] == "E" and s[-1] == "B" and set(s[1:-1]) <= set("abcdXY")
        where = [t + 1 for t, ch in enumerate(s) if ch in "XY"]
        assert len(where) == relevant
        assert all(lo <= t <= hi for t, (lo, hi) in zip(where, WINDOWS[relevant]))
        order = "".join(ch for ch in s if ch in "XY")
        assert names[c] == RULES[relevant][order]
        seen_classes.add(c)
    assert seen_classes == set(range(2**relevant))


# --- the latch and 2-sequence problems (Bengio et al. 1994) --------------------------------------


def test_latch_inputs_carry_no_class_the_learned_prefix_does():
    dm = LongTermTasks(task="latch", length=50, informative=3, noise_var=0.2, n_train=20000)
    dm.setup()
    x, label, lengths = dm.train_set
    assert x.shape == (20000, 50, 1) and (lengths == 50).all()
    assert (x[:, :3] == 0).all()  # where the model's learned h_t of the class go
    noise = x[:, 3:, 0]
    assert abs(noise.var().item() - 0.2) < 0.01 and abs(noise.mean().item()) < 0.01
    assert 0.45 < label.float().mean() < 0.55
    # The noise is the same for both classes: the class is decided by the prefix only.
    assert abs(noise[label == 1].mean() - noise[label == 0].mean()) < 0.01


def test_two_sequence_class_is_the_sign_of_the_first_values():
    x, label, lengths = LongTermTasks(task="two_sequence", length=110, min_length=100, informative=3).make(
        5000, seeded(4, "test")
    )
    assert (x[:, :3, 0] == (2 * label - 1)[:, None].float()).all()
    assert lengths.min() == 100 and lengths.max() == 110
    assert (x[torch.arange(110) >= lengths[:, None]] == 0).all()
    noisy_task = LongTermTasks(task="two_sequence", informative=1, noisy_prefix=True)
    noisy, nlabel, _ = noisy_task.make(5000, seeded(4, "t"))
    prefix = noisy[:, 0, 0]
    assert abs(prefix[nlabel == 1].mean() - 1) < 0.05 and abs(prefix[nlabel == 0].mean() + 1) < 0.05
    assert abs(prefix[nlabel == 1].var() - 0.2) < 0.03  # Task 3b: noise on the informative value


@pytest.mark.parametrize(
    "make",
    [
        lambda: LongTermTasks(task="bad"),
        lambda: LongTermTasks(informative=100, length=100),
        lambda: LongTermTasks(min_length=2, informative=3),
        lambda: LongTermTasks(task="latch", noisy_prefix=True),
        lambda: AddingProblem(min_length=5),
        lambda: TemporalOrder(relevant=4),
        lambda: DigitTasks(min_digits=3, max_digits=2),
        lambda: SinusoidTasks(amplitude_min=2, amplitude_max=1),
    ],
)
def test_bad_arguments_are_refused(make):
    with pytest.raises(ValueError):
        make()


# --- sinusoid regression (MAML, Section 5.1) -----------------------------------------------------


def test_sinusoid_tasks_follow_section_5_1():
    dm = SinusoidTasks(k_shot=5, k_query=7, tasks_per_epoch=2000, meta_batch_size=25)
    dm.setup()
    xs, ys, xq, yq, a, b = dm.epoch_set(0)
    assert xs.shape == ys.shape == (2000, 5, 1) and xq.shape == yq.shape == (2000, 7, 1)
    assert a.min() >= 0.1 and a.max() <= 5.0 and a.max() > 4.9 and a.min() < 0.2
    assert b.min() >= 0.0 and b.max() <= math.pi
    for x, y in ((xs, ys), (xq, yq)):
        assert x.min() >= -5.0 and x.max() <= 5.0
        assert torch.allclose(y, a[:, None, None] * torch.sin(x - b[:, None, None]), atol=1e-5)
    batches = list(dm.train_dataloader())
    assert len(batches) == 80 and all(len(batch[0]) == 25 for batch in batches)
    assert len(dm.val_set[0]) == 600


# --- sequence-to-sequence digit tasks -----------------------------------------------------------


def _check_layout(src: torch.Tensor, tgt: torch.Tensor) -> None:
    assert src.dtype == tgt.dtype == torch.int64
    assert (tgt[:, 0] == BOS).all() and (src != BOS).all()
    for t in (src, tgt):
        assert ((t == EOS).sum(1) == 1).all()
        after = (t == EOS).int().cumsum(1).roll(1, 1).clamp(max=1).bool()
        after[:, 0] = False
        assert (t[after] == PAD).all() and (t[~after & (t != EOS)] != PAD).all()


def test_digit_reversal():
    src, tgt = DigitTasks(task="reverse", min_digits=2, max_digits=9).make(3000, seeded(5, "test"))
    assert src.shape == (3000, 10) and tgt.shape == (3000, 11)
    _check_layout(src, tgt)
    pairs = [(decode(s), decode(t)) for s, t in zip(src, tgt)]
    assert all(t == s[::-1] and s.isdigit() for s, t in pairs)
    assert {len(s) for s, _ in pairs} == set(range(2, 10))


@pytest.mark.parametrize("max_digits", [3, 18])
def test_digit_addition(max_digits):
    src, tgt = DigitTasks(task="add", max_digits=max_digits).make(3000, seeded(6, "test"))
    assert src.shape == (3000, 2 * max_digits + 2) and tgt.shape == (3000, max_digits + 3)
    _check_layout(src, tgt)
    lengths = set()
    for s, t in zip(src, tgt):
        a, b = decode(s).split("+")
        for operand in (a, b):
            assert operand.isdigit() and (len(operand) == 1 or operand[0] != "0")
            lengths.add(len(operand))
        assert decode(t) == str(int(a) + int(b))
    assert lengths == set(range(1, max_digits + 1))


# --- every task: reproducible from its seed ------------------------------------------------------

SMALL = {
    "latch": lambda seed: LongTermTasks(n_train=64, n_val=32, seed=seed),
    "two_sequence": lambda seed: LongTermTasks("two_sequence", min_length=50, n_train=64, n_val=32, seed=seed),
    "reber": lambda seed: EmbeddedReber(n_train=32, n_test=32, seed=seed),
    "adding": lambda seed: AddingProblem(n_train=64, n_val=32, seed=seed),
    "temporal_order": lambda seed: TemporalOrder(relevant=3, n_train=64, n_val=32, seed=seed),
    "reverse": lambda seed: DigitTasks(n_train=64, n_val=32, seed=seed),
    "add": lambda seed: DigitTasks(task="add", n_train=64, n_val=32, fresh_each_epoch=True, seed=seed),
    "sinusoid": lambda seed: SinusoidTasks(tasks_per_epoch=50, n_eval_tasks=20, seed=seed),
}


def sets_of(dm) -> list[torch.Tensor]:
    dm.setup()
    train = dm.epoch_set(0) + dm.epoch_set(1) if dm.fresh_each_epoch else dm.train_set
    return [*train, *dm.val_set]


@pytest.mark.parametrize("name", sorted(SMALL))
def test_same_seed_same_data_other_seed_other_data(name):
    a, b, c = sets_of(SMALL[name](0)), sets_of(SMALL[name](0)), sets_of(SMALL[name](1))
    assert len(a) == len(b) and all(torch.equal(s, t) for s, t in zip(a, b))
    assert any(s.shape != t.shape or not torch.equal(s, t) for s, t in zip(a, c))


@pytest.mark.parametrize("name", ["adding", "add", "sinusoid"])
def test_fresh_sets_differ_between_epochs_and_from_validation(name):
    dm = SMALL[name](0)
    dm.setup()
    e0, e1 = dm.epoch_set(0), dm.epoch_set(1)
    assert not torch.equal(e0[0], e1[0]) and not torch.equal(e0[0][: len(dm.val_set[0])], dm.val_set[0])


def test_streams_of_a_seed_are_independent():
    draw = lambda *key: torch.rand(4, generator=seeded(*key))  # noqa: E731
    assert torch.equal(draw(0, "train", 1), draw(0, "train", 1))
    assert not torch.equal(draw(0, "train", 1), draw(1, "train", 0))
    assert not torch.equal(draw(0, "train", 0), draw(0, "val"))


# --- loaders: shapes, DDP shards, resume ---------------------------------------------------------


def rows(batches) -> list[tuple]:
    out = []
    for batch in batches:
        flat = torch.cat([t.reshape(len(t), -1).double() for t in batch], 1)
        out += [tuple(r) for r in flat.tolist()]
    return out


@pytest.mark.parametrize("name", ["latch", "adding", "sinusoid", "temporal_order"])
def test_ddp_ranks_get_disjoint_equal_shards(name):
    dm = SMALL[name](0)
    dm.setup()
    full = rows([dm.epoch_set(0) if dm.fresh_each_epoch else dm.train_set])
    shards = []
    for rank in range(2):
        dm.trainer = SimpleNamespace(global_rank=rank, world_size=2, current_epoch=0)
        shards.append(rows(dm.train_dataloader()))
    dm.trainer = None
    assert len(shards[0]) == len(shards[1]) == len(full) // 2  # even sizes: no wrap-around padding
    assert not set(shards[0]) & set(shards[1])
    assert set(shards[0]) | set(shards[1]) == set(full)


def test_batches_have_the_documented_shapes():
    shapes = {}
    for name in ("latch", "reber", "adding", "temporal_order", "reverse", "sinusoid"):
        dm = SMALL[name](0)
        dm.setup()
        shapes[name] = [tuple(t.shape[1:]) for t in next(iter(dm.val_dataloader()))]
    assert shapes["latch"] == [(100, 1), (), ()]
    assert shapes["reber"][0][1] == 7 and shapes["reber"][2] == ()
    assert shapes["adding"] == [(110, 2), (), ()]
    assert shapes["temporal_order"] == [(110, 8), (), ()]
    assert shapes["reverse"] == [(9,), (10,)]
    assert shapes["sinusoid"] == [(10, 1), (10, 1), (10, 1), (10, 1), (), ()]


def test_epoch_batches_resume_mid_epoch_and_at_epoch_end():
    dm = AddingProblem(n_train=40, n_val=8, batch_size=4)
    dm.setup()
    loader = dm.train_dataloader()
    assert isinstance(loader, EpochBatches) and len(loader) == 10
    epoch0, epoch1 = rows(loader), rows(loader)
    assert epoch0 == rows([dm.epoch_set(0)]) and epoch1 == rows([dm.epoch_set(1)])

    it = iter(dm.train_dataloader())
    seen = rows([next(it) for _ in range(3)])
    resumed = dm.train_dataloader()
    resumed.load_state_dict({"epoch": 0, "batches_seen": 3})
    assert seen + rows(resumed) == epoch0
    assert resumed.state_dict() == {"epoch": 0, "batches_seen": 10}
    at_end = dm.train_dataloader()
    at_end.load_state_dict(resumed.state_dict())
    assert rows(at_end) == epoch1


class _Recorder(L.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))
        self.seen: dict[int, list] = defaultdict(list)

    def training_step(self, batch, batch_idx):
        self.seen[self.current_epoch] += rows([batch])
        return (self.w * batch[1].mean()).sum()

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.0)


@pytest.mark.filterwarnings("ignore:You passed in a `val_dataloader`")
def test_a_trainer_gets_one_fresh_set_per_epoch(tmp_path):
    dm = AddingProblem(n_train=24, n_val=8, batch_size=6)
    model = _Recorder()
    trainer = L.Trainer(
        max_epochs=2, accelerator="cpu", logger=False, enable_checkpointing=False, enable_progress_bar=False,
        enable_model_summary=False, limit_val_batches=0, default_root_dir=tmp_path,
    )
    trainer.fit(model, dm)
    assert model.seen[0] == rows([dm.epoch_set(0)]) and model.seen[1] == rows([dm.epoch_set(1)])


# --- declarations ------------------------------------------------------------------------------


def test_every_module_declares_its_generated_datasets():
    declared = [d for m in (long_term, lstm_tasks, seq_tasks, sinusoid) for d in m.DATASETS]
    assert [d.name for d in declared] == [
        "latch", "two_sequence", "embedded_reber", "adding", "temporal_order", "digit_reversal",
        "digit_addition", "sinusoid",
    ]
    for d in declared:
        assert isinstance(d, Dataset) and d.generated and d.title and d.citation and d.size
        assert d.locate() == {}


ALL = [LongTermTasks, EmbeddedReber, AddingProblem, TemporalOrder, DigitTasks, SinusoidTasks]


@pytest.mark.parametrize("cls", ALL)
def test_constructor_arguments_parse_as_a_config(cls):
    from jsonargparse import ArgumentParser

    parser = ArgumentParser(exit_on_error=False)
    parser.add_class_arguments(cls, "data")
    cfg = parser.parse_args([])
    assert parser.instantiate(cfg).data.hparams == cls().hparams
