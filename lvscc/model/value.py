"""The base of the model's frozen dataclasses."""

from __future__ import annotations


class Value:
    """Pickled as a call of its class with its fields, in order (the IR cache, lvscc/ir_cache.py,
    pickles hundreds of thousands of them): about twice as fast both ways as dataclasses'
    __getstate__/__setstate__, which walk fields() per object. Every field of a subclass is an
    __init__ parameter, in the order of its __slots__ (dataclass(slots=True))."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        names: tuple[str, ...] = getattr(type(self), "__slots__")
        return type(self), tuple([getattr(self, name) for name in names])
