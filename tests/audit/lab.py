"""Running tools inside the throwaway namespaces of the netns tests."""

from __future__ import annotations

import subprocess


def in_ns(ns: str, *argv: str, stdin: str | None = None) -> str:
    done = subprocess.run(["ip", "netns", "exec", ns, *argv], input=stdin, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{' '.join(argv)}: {done.stderr}"
    return done.stdout
