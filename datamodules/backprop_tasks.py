"""The generated tasks of Rumelhart, Hinton & Williams (1986), as full-batch LightningDataModules.

Every task is a small, fixed set of input-output cases, built here from its definition (no
files, no downloads) and identical on every run:

- ``xor``: the four cases of exclusive-or (PDP chapter 8, "The XOR problem").
- ``encoder``: the 8-3-8 encoder: eight one-hot input patterns to be reproduced at eight
  output units through three hidden units (PDP chapter 8, "The encoding problem").
- ``symmetry``: all 64 binary vectors of length 6; the output is 1 iff the vector is symmetric
  about its centre (Nature, Fig. 1).
- ``family_trees``: the two isomorphic family trees (Nature, Figs 2-4): 12 English and 12
  Italian people, 12 relationships. A case is a query <person 1> <relationship>; its target is
  every <person 2> that completes it (Colin has two aunts, so that case has two units on). The
  two trees give 104 such cases (the paper's "104 triples"; with two answers counted twice it
  would be 112). Input: a 24-unit one-hot person followed by a 12-unit one-hot relationship;
  target: 24 units, one per person. ``held_out`` cases (the paper: 4) are drawn by ``seed``
  and kept out of training.

One epoch is one sweep through the whole training set, in one batch: the paper accumulated
dE/dw over all cases before changing the weights. Validation is the held-out cases for
``family_trees`` and, as in the paper, which measures how well the training set is learned, the
training set itself for the other tasks.
"""

from __future__ import annotations

from itertools import product
from typing import Literal

import lightning.pytorch as L
import torch

from landmark.data import TensorBatches, shard
from landmark.datasets import Dataset

__all__ = [
    "BackpropTasks", "DATASETS", "ENGLISH", "ITALIAN", "PEOPLE", "RELATIONSHIPS", "family_tree_cases", "task_tensors",
]

NATURE = ("D. E. Rumelhart, G. E. Hinton, R. J. Williams. Learning representations by back-propagating errors. "
          "Nature 323:533-536, 1986.")
PDP = ("D. E. Rumelhart, G. E. Hinton, R. J. Williams. Learning internal representations by error propagation. "
       "In Parallel Distributed Processing, vol. 1, ch. 8, pp. 318-362. MIT Press, 1986.")
# Every task is built here from its definition: nothing to fetch (``landmark data list`` shows them).
DATASETS = [
    Dataset(
        name="xor",
        generated=True,
        title="Exclusive-or: the four cases of two binary inputs (PDP ch. 8, Figs 2-3)",
        citation=PDP,
        size="generated: 4 cases, 2 inputs, 1 output",
    ),
    Dataset(
        name="encoder",
        generated=True,
        title="8-3-8 encoder: eight one-hot patterns reproduced through three hidden units (PDP ch. 8)",
        citation=PDP,
        size="generated: 8 cases, 8 inputs, 8 outputs",
    ),
    Dataset(
        name="symmetry",
        generated=True,
        title="Mirror symmetry: is a 6-bit vector the same reversed? (Nature 1986, Fig. 1)",
        citation=NATURE,
        size="generated: 64 cases (8 symmetric), 6 inputs, 1 output",
    ),
    Dataset(
        name="family_trees",
        generated=True,
        title="Two isomorphic family trees (English, Italian): person + relationship -> people (Nature 1986, Fig. 2-4)",
        citation=NATURE,
        size="generated: 104 queries (112 answers), 36 inputs, 24 outputs; 100 train, 4 held out",
    ),
]

Task = Literal["xor", "encoder", "symmetry", "family_trees"]

# The English tree (Nature, Fig. 2), and its Italian isomorph position by position.
ENGLISH = ("Christopher", "Penelope", "Andrew", "Christine", "Margaret", "Arthur",
           "Victoria", "James", "Jennifer", "Charles", "Colin", "Charlotte")
ITALIAN = ("Roberto", "Maria", "Pierro", "Francesca", "Gina", "Emilio",
           "Lucia", "Marco", "Angela", "Tomaso", "Alfonso", "Sophia")
PEOPLE = ENGLISH + ITALIAN
RELATIONSHIPS = ("father", "mother", "husband", "wife", "son", "daughter",
                 "uncle", "aunt", "brother", "sister", "nephew", "niece")

_MALE = {"Christopher", "Andrew", "Arthur", "James", "Charles", "Colin"}
# (husband, wife) -> their children. Arthur and Victoria are the children of Christopher and
# Penelope, James and Jennifer of Andrew and Christine; Margaret and Charles marry in.
_FAMILIES = {
    ("Christopher", "Penelope"): ("Arthur", "Victoria"),
    ("Andrew", "Christine"): ("James", "Jennifer"),
    ("Arthur", "Margaret"): (),
    ("James", "Victoria"): ("Colin", "Charlotte"),
    ("Charles", "Jennifer"): (),
}


def _english_relations() -> dict[tuple[str, str], set[str]]:
    """{(person 1, relationship): {every person 2}} for the English tree."""
    spouse = {h: w for h, w in _FAMILIES} | {w: h for h, w in _FAMILIES}
    parents = {c: couple for couple, kids in _FAMILIES.items() for c in kids}
    children = {p: set() for p in ENGLISH}
    for (h, w), kids in _FAMILIES.items():
        children[h] |= set(kids)
        children[w] |= set(kids)

    def male(p: str) -> bool:
        return p in _MALE

    def siblings(p: str) -> set[str]:
        return set(_FAMILIES[parents[p]]) - {p} if p in parents else set()

    def siblings_in_law(p: str) -> set[str]:  # own siblings, and the spouse's
        return siblings(p) | (siblings(spouse[p]) if p in spouse else set())

    rel: dict[tuple[str, str], set[str]] = {}
    for p in ENGLISH:
        r = {
            "father": {parents[p][0]} if p in parents else set(),
            "mother": {parents[p][1]} if p in parents else set(),
            "husband": {spouse[p]} if p in spouse and not male(p) else set(),
            "wife": {spouse[p]} if p in spouse and male(p) else set(),
            "son": {c for c in children[p] if male(c)},
            "daughter": {c for c in children[p] if not male(c)},
            "brother": {s for s in siblings(p) if male(s)},
            "sister": {s for s in siblings(p) if not male(s)},
        }
        # Uncles and aunts: the parents' siblings and those siblings' spouses.
        blood = set().union(*(siblings(q) for q in parents.get(p, ())))
        elders = blood | {spouse[s] for s in blood if s in spouse}
        r["uncle"] = {e for e in elders if male(e)}
        r["aunt"] = {e for e in elders if not male(e)}
        # Nephews and nieces: the children of one's own and one's spouse's siblings.
        young = set().union(set(), *(children[s] for s in siblings_in_law(p)))
        r["nephew"] = {c for c in young if male(c)}
        r["niece"] = {c for c in young if not male(c)}
        rel |= {(p, k): v for k, v in r.items() if v}
    return rel


def family_tree_cases() -> tuple[torch.Tensor, torch.Tensor, list[str]]:
    """All 104 queries of both trees: inputs (104, 36), targets (104, 24), and readable names."""
    english = _english_relations()
    italian = {(ITALIAN[ENGLISH.index(p)], r): {ITALIAN[ENGLISH.index(q)] for q in v} for (p, r), v in english.items()}
    cases = sorted({**english, **italian}.items(), key=lambda c: (PEOPLE.index(c[0][0]), RELATIONSHIPS.index(c[0][1])))
    assert len(cases) == 104, len(cases)  # the paper's count
    x = torch.zeros(len(cases), len(PEOPLE) + len(RELATIONSHIPS))
    d = torch.zeros(len(cases), len(PEOPLE))
    names = []
    for i, ((p, r), answers) in enumerate(cases):
        x[i, PEOPLE.index(p)] = 1.0
        x[i, len(PEOPLE) + RELATIONSHIPS.index(r)] = 1.0
        for q in answers:
            d[i, PEOPLE.index(q)] = 1.0
        names.append(f"{p} has-{r} {'/'.join(sorted(answers))}")
    return x, d, names


def task_tensors(task: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Every case of a task as (inputs, targets), float32, in a fixed order."""
    if task == "xor":
        x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        return x, (x[:, :1] != x[:, 1:]).float()
    if task == "encoder":
        return torch.eye(8), torch.eye(8)
    if task == "symmetry":
        x = torch.tensor(list(product((0.0, 1.0), repeat=6)))  # (64, 6)
        return x, (x == x.flip(1)).all(1, keepdim=True).float()  # (64, 1)
    if task == "family_trees":
        x, d, _ = family_tree_cases()
        return x, d
    raise ValueError(f"unknown task {task!r}; valid: xor, encoder, symmetry, family_trees")


class BackpropTasks(L.LightningDataModule):
    """The 1986 back-propagation tasks, one full-batch sweep per epoch.

    Args:
        task: which task: ``xor``, ``encoder`` (8-3-8), ``symmetry`` (6 inputs, 64 patterns)
            or ``family_trees`` (104 queries over two isomorphic family trees).
        held_out: family trees only: how many of the 104 queries are kept out of training and
            used for validation (the paper: 4).
        seed: picks the held-out family-tree queries; the same seed gives the same split.
    """

    def __init__(self, task: Task = "symmetry", held_out: int = 4, seed: int = 0) -> None:
        super().__init__()
        if task not in ("xor", "encoder", "symmetry", "family_trees"):
            raise ValueError(f"task={task!r}; valid: xor, encoder, symmetry, family_trees")
        if not 0 < held_out < 104:
            raise ValueError(f"held_out={held_out}: must be between 1 and 103 (of the 104 family-tree queries)")
        self.save_hyperparameters()
        self.task, self.held_out, self.seed = task, held_out, seed
        x, d = task_tensors(task)
        if task == "family_trees":
            order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
            self.val_index, self.train_index = order[:held_out].sort().values, order[held_out:].sort().values
            self.train_set = (x[self.train_index], d[self.train_index])
            self.val_set = (x[self.val_index], d[self.val_index])
        else:
            self.train_set = self.val_set = (x, d)

    @property
    def n_inputs(self) -> int:
        return self.train_set[0].shape[1]

    @property
    def n_outputs(self) -> int:
        return self.train_set[1].shape[1]

    def _batches(self, tensors: tuple[torch.Tensor, torch.Tensor]) -> TensorBatches:
        # Under DDP each rank takes its share of the sweep.
        return TensorBatches(tensors, batch_size=len(tensors[0]), **shard(self.trainer))

    def train_dataloader(self) -> TensorBatches:
        return self._batches(self.train_set)

    def val_dataloader(self) -> TensorBatches:
        return self._batches(self.val_set)

    def test_dataloader(self) -> TensorBatches:
        return self._batches(self.val_set)

    def predict_dataloader(self) -> TensorBatches:
        return self._batches(self.val_set)
