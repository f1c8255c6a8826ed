"""One way to damage a file for the fuzz tests: a few insertions of telling tokens or random
bytes, deletions and duplications at random places."""

from __future__ import annotations

from hypothesis import strategies as st


def mutate(draw: st.DrawFn, data: bytes, tokens: list[bytes]) -> bytes:
    damaged = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(damaged)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate", "bytes"]))
        if action == "insert":
            damaged[at:at] = draw(st.sampled_from(tokens))
        elif action == "delete":
            del damaged[at: at + draw(st.integers(1, 40))]
        elif action == "duplicate":
            damaged[at:at] = damaged[at: at + draw(st.integers(1, 80))]
        else:
            damaged[at:at] = draw(st.binary(min_size=1, max_size=8))
    return bytes(damaged)
