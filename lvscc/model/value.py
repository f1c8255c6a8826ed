"""The base of the model's frozen value classes, and the decorator that makes them.

`value_class` makes what `@dataclass(frozen=True, slots=True)` makes, at a fraction of its cost
at import (a `check` imports 20 of them before reading a line: benchmarks/README.md): only
`__init__` and `__eq__` are compiled, in one `exec` per class, where Python 3.11's dataclasses
compile six functions per class and inspect each; `__repr__`, `__hash__` and the order methods
are shared functions reading the class's field tuples (attrgetters, no compilation). The
classes remain dataclasses to `dataclasses.fields`, `replace`, `asdict` and `is_dataclass`, and
tests/test_value_class.py compares every model class with the dataclass it stands for."""

from __future__ import annotations

import dataclasses
from dataclasses import MISSING, Field, FrozenInstanceError
from functools import cache
from operator import attrgetter
from typing import Any, Callable, TypeVar, dataclass_transform

V = TypeVar("V", bound=type)


class Value:
    """Pickled as a call of its class with its fields, in order (the IR cache, lvscc/ir_cache.py,
    pickles hundreds of thousands of them): about twice as fast both ways as dataclasses'
    __getstate__/__setstate__, which walk fields() per object. Every field of a subclass is an
    __init__ parameter, in the order of its __slots__ (value_class)."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        names: tuple[str, ...] = getattr(type(self), "__slots__")
        return type(self), tuple([getattr(self, name) for name in names])


# ---- the methods every value class shares: they read the class's field tuples ------------


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in type(self)._shown)
    return f"{type(self).__qualname__}({shown})"


def _hash(self: Any) -> int:
    return hash(self._hashed(self))


def _ordered(compare: Callable[[tuple, tuple], bool]) -> Callable[[Any, object], bool]:
    def method(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            key = self._compared
            return compare(key(self), key(other))
        return NotImplemented
    return method


ORDER = {"__lt__": _ordered(tuple.__lt__), "__le__": _ordered(tuple.__le__),
         "__gt__": _ordered(tuple.__gt__), "__ge__": _ordered(tuple.__ge__)}
# What a value class may not define itself (dataclasses would keep some, refuse others).
GENERATED = frozenset({"__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__", "__post_init__",
                       "__slots__", "__match_args__", *ORDER})


def _frozen_setattr(self: Any, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _getter(names: list[str]) -> staticmethod:
    """The named attributes as a tuple, as dataclasses compare and hash them (a 1-tuple too:
    the same hash as a dataclass's)."""
    if len(names) > 1:
        return staticmethod(attrgetter(*names))
    if names:
        one = attrgetter(names[0])
        return staticmethod(lambda self: (one(self),))
    return staticmethod(lambda self: ())


# ---- the decorator ------------------------------------------------------------------------


def _fields(cls: type) -> dict[str, Field]:
    found: dict[str, Field] = {}
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        default = cls.__dict__.get(name, MISSING)
        spec = default if isinstance(default, Field) else dataclasses.field(default=default)
        spec.name, spec.type, spec.kw_only = name, annotation, False
        spec._field_type = dataclasses._FIELD  # type: ignore[attr-defined] - what fields() and replace() read
        found[name] = spec
    return found


def _init(cls: type, fields: dict[str, Field]) -> tuple[Callable[..., None], Callable[[Any, object], bool]]:
    """The class's __init__ (each field set through object.__setattr__) and __eq__, in one exec:
    the rules compare spans and blocks per server of a big config, and a compiled __eq__ is
    about twice as fast as a shared one (about 6 M instructions more at import)."""
    scope: dict[str, object] = {"MISSING": MISSING, "_set": object.__setattr__}
    params, body = [], []
    for name, spec in fields.items():
        if spec.default is not MISSING:
            scope[f"_default_{name}"] = spec.default
            params.append(f"{name}=_default_{name}")
        elif spec.default_factory is not MISSING:
            scope[f"_factory_{name}"] = spec.default_factory
            params.append(f"{name}=MISSING")
            body.append(f" if {name} is MISSING: {name} = _factory_{name}()")
        else:
            params.append(name)
        body.append(f" _set(self, {name!r}, {name})")
    names = [name for name, spec in fields.items() if spec.compare]
    mine, theirs = ("(" + "".join(f"{who}.{name}," for name in names) + ")" for who in ("self", "other"))
    eq = f"def __eq__(self, other):\n if other.__class__ is self.__class__:\n  return {mine} == {theirs}\n return NotImplemented"
    exec(f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body or [" pass"]) + "\n" + eq, scope)  # noqa: S102
    made = scope["__init__"], scope["__eq__"]
    for method in made:
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"  # type: ignore[attr-defined]
    return made  # type: ignore[return-value]


@cache
def _params(order: bool) -> object:
    """The `__dataclass_params__` that `@dataclass(frozen=True, slots=True, order=order)` records,
    taken from such a dataclass: what that record holds differs between Python versions (3.12
    added match_args, kw_only, slots and weakref_slot to it)."""
    @dataclasses.dataclass(frozen=True, slots=True, order=order)
    class Template:
        pass
    return Template.__dataclass_params__  # type: ignore[attr-defined]


@dataclass_transform(frozen_default=True)
def value_class(cls: V | None = None, /, *, order: bool = False) -> Any:
    """`@dataclass(frozen=True, slots=True[, order=True])` for a direct subclass of Value whose
    fields are plain annotations with defaults or `field(...)` (no __post_init__, no ClassVar)."""
    def make(cls: V) -> V:
        if cls.__bases__ != (Value,) or GENERATED.intersection(cls.__dict__):
            raise TypeError(f"{cls.__name__}: value_class makes direct subclasses of Value that define none of "
                            f"{', '.join(sorted(GENERATED))}")
        fields = _fields(cls)
        names = list(fields)
        init, eq = _init(cls, fields)
        body = {k: v for k, v in cls.__dict__.items() if k not in fields and k not in ("__dict__", "__weakref__")}
        body.update(
            __slots__=tuple(names), __match_args__=tuple(names), __repr__=_repr, __hash__=_hash, __setattr__=_frozen_setattr, __delattr__=_frozen_delattr,
            _shown=tuple(n for n, f in fields.items() if f.repr),
            _compared=_getter([n for n, f in fields.items() if f.compare]),
            _hashed=_getter([n for n, f in fields.items() if (f.compare if f.hash is None else f.hash)]),
            __dataclass_fields__=fields,
            __dataclass_params__=_params(order),
            __init__=init, __eq__=eq, **(ORDER if order else {}),
        )
        made: V = type(cls)(cls.__name__, cls.__bases__, body)
        made.__qualname__ = cls.__qualname__
        return made
    return make if cls is None else make(cls)
