"""lvscc.fmt.Written reads exactly the statement at a span, which decides the words `lvscc fmt`
keeps (a unit, an explicit default): its first and last character, across lines, on the
source's last line, a string blanked but as long as written, and nothing for a span of
another file or one that runs past the source."""

from __future__ import annotations

import pytest

from lvscc.fmt import Written
from lvscc.model.span import Span

SOURCE = 'lvs shop {\n  tcp 80  quiesce\n  check {\n    timeout 1m }  # default\n  tcp 443  send "timeout 5m" reentry 2m'


@pytest.mark.parametrize(("span", "text"), [
    (Span("shop.lvs", 2, 3, 2, 9), "tcp 80"),
    (Span("shop.lvs", 2, 11, 2, 18), "quiesce"),
    (Span("shop.lvs", 3, 3, 4, 17), "check {\n    timeout 1m }"),
    (Span("shop.lvs", 5, 3, 5, 10), "tcp 443"),
    (Span("shop.lvs", 5, 12, 5, 29), 'send "          "'),
    (Span("shop.lvs", 5, 30, 5, 40), "reentry 2m"),
    (Span("other.lvs", 2, 3, 2, 9), ""),
    (Span("shop.lvs", 5, 3, 6, 4), ""),
    (Span("shop.lvs", 0, 0, 0, 0), ""),
])  # fmt: skip
def test_the_statement_at_a_span_is_read_exactly(span: Span, text: str) -> None:
    assert Written.of(SOURCE, "shop.lvs").text(span) == text
