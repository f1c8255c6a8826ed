"""Compare Configs by meaning: source positions and the list of files read do not count."""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from typing import Any

from lvscc.model.span import NOWHERE, Span


def without_spans(value: Any) -> Any:
    if isinstance(value, Span):
        return NOWHERE
    if isinstance(value, tuple):
        return tuple(without_spans(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: without_spans(getattr(value, f.name)) for f in fields(value) if f.init}
        if "files" in changes:
            changes["files"] = ()
        return replace(value, **changes)
    return value
