"""Refreshes driven by watch's events: `lvscc watch`'s own loop (lvscc/watch) runs in a
thread and every event it emits takes a new Snapshot, which listeners (the server-sent event
streams) receive. Live, the loop audits the host on netlink notifications and its IPVS poll;
from a dump, the dump's files are watched with the config's, so replacing a dump file is an
event like saving the config."""

from __future__ import annotations

import selectors
import socket
import threading
from collections.abc import Callable
from pathlib import Path

from lvscc.probes import DUMP_FILES
from lvscc.model.config import Config
from lvscc.pipeline import Audited, AuditError
from lvscc.serve.view import Snapshot, Target, assemble, take, with_stats
from lvscc.watch.loop import POLL, START, Options, Watcher, watched_paths
from lvscc.watch.state import AuditOutcome, WatchState

Listener = Callable[[int, Snapshot], None]


class DumpWatcher(Watcher):
    """The compile-only watch loop, also watching the dump directory's files."""

    def __init__(self, options: Options, sink: Callable[[dict[str, object], WatchState], None], dump: Path) -> None:
        super().__init__(options, sink)
        self.dump_files = watched_paths(dump / name for name in DUMP_FILES)

    def compile(self, reasons: tuple[str, ...]) -> dict[str, object]:
        event = super().compile(reasons)
        self.files = self.files | self.dump_files
        return event


class LiveWatcher(Watcher):
    """The auditing watch loop, which hands each cycle over once it is done: the page is built
    from that cycle's own compile and audit, not from reading the host a second time."""

    def __init__(self, options: Options, sink: Callable[[dict[str, object], WatchState], None],
                 after_cycle: Callable[[tuple[str, ...]], None]) -> None:
        super().__init__(options, sink)
        self.after_cycle = after_cycle

    def cycle(self, reasons: tuple[str, ...]) -> None:
        super().cycle(reasons)
        self.after_cycle(reasons)


def _audit_of(outcome: AuditOutcome | None) -> Callable[[Config], Audited]:
    """What a watch audit found, as the snapshot asks for it."""

    def audited(config: Config) -> Audited:
        if outcome is None or outcome.audited is None:
            raise AuditError(outcome.failure if outcome is not None and outcome.failure else "not audited yet")
        return outcome.audited

    return audited


class Monitor:
    def __init__(self, target: Target, interval: float = 5.0) -> None:
        self.target = target
        self.snapshot = take(target)
        self.version = 1
        self._listeners: set[Listener] = set()
        self._lock = threading.Lock()
        options = Options(target.config, audit=target.dump is None, host=target.host, interval=interval)
        if target.dump is not None:
            self.watcher: Watcher = DumpWatcher(options, self._on_event, target.dump)
        else:
            self.watcher = LiveWatcher(options, self._on_event, self._after_cycle)
        self._changed = False  # an event was emitted since the last live snapshot
        self._wake_read, self._wake_write = socket.socketpair()
        self.watcher.selector.register(self._wake_read, selectors.EVENT_READ, lambda now: self._wake_read.recv(64))
        self._thread = threading.Thread(target=self._run, name="lvscc-serve-watch", daemon=True)

    def _on_event(self, event: dict[str, object], state: WatchState) -> None:
        if event.get("trigger") == [START] and self.version == 1 and event.get("event") == "compiled":
            return  # the snapshot taken at start-up already shows this
        if self.target.dump is None:
            self._changed = True  # the cycle's end publishes what it compiled and audited
            return
        self.refresh()

    def _after_cycle(self, reasons: tuple[str, ...]) -> None:
        """Live: one snapshot of the cycle's own results when it said something new; else, on
        an IPVS poll tick, the counters alone (they change without the audit's result changing)."""
        if self._changed:
            self._changed = False
            state = self.watcher.state
            if state.compiled is not None and state.compiled.result is not None:
                self._publish(assemble(self.target, state.compiled.result, _audit_of(state.audited)))
                return
        if POLL in reasons:
            self.refresh_stats()

    def refresh(self) -> None:
        self._publish(take(self.target))

    def refresh_stats(self) -> None:
        self._publish(with_stats(self.current()[1]))

    def _publish(self, snapshot: Snapshot) -> None:
        with self._lock:
            self.version += 1
            self.snapshot = snapshot
            version, listeners = self.version, list(self._listeners)
        for listener in listeners:
            listener(version, snapshot)

    def current(self) -> tuple[int, Snapshot]:
        with self._lock:
            return self.version, self.snapshot

    def listen(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.add(listener)

    def forget(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.discard(listener)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        self.watcher.cycle((START,))
        while not self.watcher.stopping:
            self.watcher.turn()

    def stop(self) -> None:
        self.watcher.stopping = True
        self._wake_write.send(b"x")
        self._thread.join(timeout=10)
        if not self._thread.is_alive():
            self.watcher.close()
        self._wake_read.close()
        self._wake_write.close()
