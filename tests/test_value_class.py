"""lvscc/model/value.py's value_class against the `@dataclass(frozen=True, slots=True)` it stands
for: every model class is built both ways (its module's source executed again with dataclass),
and the two agree on fields, parameters, repr, ==, hash, order, frozenness and pickling, over
the IR of every sample and test config and the kernel state lowered from the samples."""

from __future__ import annotations

import dataclasses
import pickle
import sys
import types
from itertools import islice
from pathlib import Path

import pytest

from lvscc.load import load
from lvscc.lower import lower
from lvscc.model import config as config_module
from lvscc.model import span as span_module
from lvscc.model import state as state_module
from lvscc.model.value import Value, value_class

REPO = Path(__file__).parents[1]
MODULES = (span_module, config_module, state_module)


def _as_dataclasses(module: types.ModuleType) -> types.ModuleType:
    source = Path(module.__file__).read_text()
    source = source.replace("@value_class(order=True)\n", "@dataclass(frozen=True, order=True, slots=True)\n")
    source = source.replace("@value_class\n", "@dataclass(frozen=True, slots=True)\n")
    reference = types.ModuleType(module.__name__ + "_as_dataclasses")
    sys.modules[reference.__name__] = reference  # dataclasses reads the module of each class
    reference.__dict__["dataclass"] = dataclasses.dataclass
    exec(compile(source, module.__file__, "exec"), reference.__dict__)  # noqa: S102 - the repository's own model
    return reference


REFERENCE = {name: cls for module in MODULES for name, cls in vars(_as_dataclasses(module)).items()
             if isinstance(cls, type) and dataclasses.is_dataclass(cls)}
OURS = {name: cls for module in MODULES for name, cls in vars(module).items()
        if isinstance(cls, type) and issubclass(cls, Value) and cls is not Value}


def _described(cls: type) -> list[tuple[object, ...]]:
    return [(f.name, f.type, repr(f.default), f.default_factory, f.init, f.repr, f.compare, f.hash, f.kw_only)
            for f in dataclasses.fields(cls)]


def test_every_model_class_is_a_value_class() -> None:
    assert sorted(OURS) == sorted(REFERENCE)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_the_class_is_described_as_its_dataclass(name: str) -> None:
    ours, reference = OURS[name], REFERENCE[name]
    assert _described(ours) == _described(reference)
    assert ours.__slots__ == reference.__slots__ and ours.__match_args__ == reference.__match_args__
    assert repr(ours.__dataclass_params__) == repr(reference.__dataclass_params__)
    assert (ours.__name__, ours.__qualname__, ours.__module__) == (name, name, ours.__module__)


def _convert(value: object) -> object:
    """The same value built from the dataclasses."""
    if isinstance(value, Value):
        fields = {f.name: _convert(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return REFERENCE[type(value).__name__](**fields)
    if isinstance(value, tuple):
        return tuple(_convert(v) for v in value)
    if isinstance(value, dict):
        return {k: _convert(v) for k, v in value.items()}
    return value


def _nodes(value: object) -> list[Value]:
    found: list[Value] = []
    if isinstance(value, Value):
        found.append(value)
        for f in dataclasses.fields(value):
            found += _nodes(getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        for v in value:
            found += _nodes(v)
    elif isinstance(value, dict):
        for v in value.values():
            found += _nodes(v)
    return found


def _trees() -> list[object]:
    configs = [load(str(path)).config for path in sorted([*REPO.glob("samples/*.lvs"), *REPO.glob("tests/**/*.lvs")])]
    configs = [c for c in configs if c is not None]
    return [*configs, *(lower(c) for c in configs[:40]), state_module.FALLBACK_TUNNELS]


@pytest.fixture(scope="module")
def nodes() -> list[Value]:
    return _nodes(_trees())


def test_the_trees_reach_every_class(nodes: list[Value]) -> None:
    """Else the comparisons below would leave a class untried."""
    assert sorted({type(n).__name__ for n in nodes}) == sorted(OURS)


def test_repr_hash_and_pickling_are_the_dataclasses(nodes: list[Value]) -> None:
    for node in nodes:
        reference = _convert(node)
        assert repr(node) == repr(reference)
        assert hash(node) == hash(reference)
        assert pickle.loads(pickle.dumps(node)) == node


def test_comparisons_are_the_dataclasses(nodes: list[Value]) -> None:
    by_class: dict[str, list[Value]] = {}
    for node in nodes:
        by_class.setdefault(type(node).__name__, []).append(node)
    for name, same in by_class.items():
        same = list(islice(dict.fromkeys(same, None), 25)) + same[:5]  # distinct ones, and some equal pairs
        references = [_convert(n) for n in same]
        order = REFERENCE[name].__dataclass_params__.order
        for a, ref_a in zip(same, references):
            assert (a == 1) is (ref_a == 1) is False
            for b, ref_b in zip(same, references):
                assert (a == b) == (ref_a == ref_b)
                assert (a != b) == (ref_a != ref_b)
                if order:
                    assert [a < b, a <= b, a > b, a >= b] == [ref_a < ref_b, ref_a <= ref_b, ref_a > ref_b, ref_a >= ref_b]


def test_frozen_as_the_dataclasses(nodes: list[Value]) -> None:
    node = next(n for n in nodes if type(n).__name__ == "RealServer")
    reference = _convert(node)
    # (Setting a name that is no field fails in a slotted dataclass with a TypeError from
    # super(), CPython issue 90562; a value class says FrozenInstanceError for it too.)
    for change in (lambda v: setattr(v, "weight", 3), lambda v: delattr(v, "weight")):
        with pytest.raises(dataclasses.FrozenInstanceError) as ours:
            change(node)
        with pytest.raises(dataclasses.FrozenInstanceError) as theirs:
            change(reference)
        assert str(ours.value) == str(theirs.value)
    assert dataclasses.replace(node, weight=3).weight == 3 and dataclasses.asdict(node) == dataclasses.asdict(reference)


def test_what_value_class_cannot_make_is_refused() -> None:
    with pytest.raises(TypeError, match="direct subclasses of Value"):
        @value_class
        class Checked(Value):
            a: int

            def __post_init__(self) -> None:
                pass
