"""Typed IR of an lvscc configuration."""

from lvscc.model.config import *  # noqa: F401,F403
from lvscc.model.span import NOWHERE, Span  # noqa: F401
