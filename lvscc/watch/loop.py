"""The event loop of `lvscc watch`: one `selectors` loop over an inotify descriptor, two
netlink sockets and a signal wake-up socket, with a poll timer for IPVS (which sends no
change notifications). It sleeps in select() until a descriptor turns readable or a deadline
passes, so an idle watch costs no CPU.

Events come in bursts (an editor's save is a rename, a create and a chmod; an `nft -f` is
hundreds of messages), so they are collected and acted on once the burst is over."""

from __future__ import annotations

import os
import selectors
import signal
import socket
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from lvscc.audit import scope_for
from lvscc.model.config import Config, IPAddress
from lvscc.model.state import HostState
from lvscc.pipeline import AuditError, host_intent
from lvscc.watch import netlink
from lvscc.watch.inotify import FileEvent, Inotify, InotifyError
from lvscc.watch.state import (
    AuditOutcome,
    WatchState,
    after_audit,
    after_compile,
    audit_event,
    compile_event,
    metrics,
    source_event,
)
from lvscc.watch.steps import Read, audit_step, collect_all, compile_step, with_fresh_ipvs

QUIET = 0.1  # seconds without a new event that end a burst
LONGEST = 0.5  # a burst that never goes quiet is acted on after this long anyway
START = "start"
POLL = "poll"
RELOAD = "reload"  # SIGHUP: what a daemon's operator sends to make it read its config again

Sink = Callable[[dict[str, object], WatchState], None]


@dataclass(frozen=True)
class Options:
    config: Path
    output: Path | None = None
    audit: bool = False
    host: str | None = None
    interval: float = 5.0  # seconds between IPVS polls
    metrics_file: Path | None = None
    include_anywhere: bool = False  # --allow-include-outside


@dataclass(frozen=True)
class Pending:
    """Reasons collected during a burst, and when it started and last grew."""

    reasons: tuple[str, ...] = ()
    first: float | None = None
    last: float | None = None

    def add(self, reasons: Iterable[str], now: float) -> Pending:
        new = tuple(r for r in dict.fromkeys(reasons) if r not in self.reasons)
        if not new and self.first is not None:
            return replace(self, last=now)
        if not new:
            return self
        return Pending(self.reasons + new, self.first if self.first is not None else now, now)

    def due(self) -> float | None:
        if self.first is None or self.last is None:
            return None
        return min(self.last + QUIET, self.first + LONGEST)


def watched_paths(files: Iterable[str | Path]) -> frozenset[Path]:
    """Each file as named and, behind a symlink, the file it points to: editing either must
    be seen, and they may sit in different directories."""
    return frozenset(p for f in files for p in (Path(f).absolute(), Path(os.path.realpath(f))))


def file_reasons(events: Iterable[FileEvent], files: frozenset[Path]) -> list[str]:
    reasons: list[str] = []
    directories = {f.parent for f in files}
    for event in events:
        if event.directory is None:
            reasons.append("file-events-lost")
        elif event.name and event.directory / event.name in files:
            reasons.append(f"file:{event.directory / event.name}")
        elif not event.name and event.lost_watch and event.directory in directories:
            reasons.append(f"directory:{event.directory}")
    return reasons


def causes_compile(reasons: Iterable[str]) -> bool:
    return any(r in (START, RELOAD) or r.startswith(("file", "directory")) for r in reasons)


def write_metrics(path: Path, text: str) -> None:
    """Temp file + rename in the same directory: node_exporter never reads half a file, and it
    skips the temp file, whose name does not end in .prom."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


class Watcher:
    def __init__(self, options: Options, sink: Sink) -> None:
        self.options = options
        self.sink = sink
        self.state = WatchState(str(options.config))
        self.pending = Pending()
        self.files = watched_paths([options.config])
        self.config: Config | None = None  # the last one that compiled
        self.intent: HostState | None = None
        self.intent_error: str | None = None
        self.links: frozenset[str] = frozenset()  # the watched host's devices and VIPs: the
        self.vips: frozenset[IPAddress] = frozenset()  # address changes that can alter its audit
        self.dumps: Read | None = None  # the last full read of the host
        self.selector = selectors.DefaultSelector()
        self.inotify = Inotify()
        self.selector.register(self.inotify, selectors.EVENT_READ, self._on_files)
        self.subscriptions: dict[str, netlink.Subscription] = {}
        self.broken: set[str] = set()  # sources whose failure was reported and not yet repaired
        self.stopping = False
        self.next_poll: float | None = None

    # --- the loop ---------------------------------------------------------------------------

    def run(self) -> int:
        wake_read, wake_write = socket.socketpair()
        for end in (wake_read, wake_write):
            end.setblocking(False)
        self.selector.register(wake_read, selectors.EVENT_READ, lambda now: _drain(wake_read))
        previous_fd = signal.set_wakeup_fd(wake_write.fileno(), warn_on_full_buffer=False)
        previous = {s: signal.signal(s, self._stop) for s in (signal.SIGINT, signal.SIGTERM)}
        previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, self._reload)
        try:
            self.cycle((START,))
            while not self.stopping:
                self.turn()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            signal.set_wakeup_fd(previous_fd)
            wake_read.close()
            wake_write.close()
            self.close()
        return 0

    def _stop(self, signum: int, frame: object) -> None:
        self.stopping = True

    def _reload(self, signum: int, frame: object) -> None:
        self.pending = self.pending.add([RELOAD], time.monotonic())

    def turn(self) -> None:
        """Sleep until something happens or a deadline passes, then act on what is due."""
        deadlines = [d for d in (self.pending.due(), self.next_poll) if d is not None]
        timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        for key, _ in self.selector.select(timeout):
            key.data(time.monotonic())
        now = time.monotonic()
        if self.stopping:
            return
        polled = self.next_poll is not None and now >= self.next_poll
        due = self.pending.due()
        if polled or (due is not None and now >= due):
            reasons, self.pending = self.pending.reasons + ((POLL,) if polled else ()), Pending()
            self.cycle(reasons)

    def cycle(self, reasons: tuple[str, ...]) -> None:
        if causes_compile(reasons):
            event = self.compile(reasons)
            self.repair_sources()  # whoever reacts to this event must find its next edit seen
            self.emit(event)
        if self.options.audit:
            self.audit(reasons)
        self.repair_sources()
        self.publish_metrics()
        self.next_poll = time.monotonic() + self.options.interval if self._needs_timer() else None

    def emit(self, event: dict[str, object]) -> None:
        self.publish_metrics()  # so that a reader of the event finds the metrics agree with it
        self.sink(event, self.state)

    # --- steps ------------------------------------------------------------------------------

    def compile(self, reasons: tuple[str, ...]) -> dict[str, object]:
        outcome, config = compile_step(self.options.config, self.options.output, self.options.include_anywhere)
        self.state = after_compile(self.state, outcome)
        kept = self.state.last_good.files if self.state.last_good else ()
        self.files = watched_paths([self.options.config, *outcome.files, *kept])
        if config is not None:
            self.config = config
            try:
                self.intent, self.intent_error = host_intent(config, self.options.host), None
            except AuditError as e:
                self.intent, self.intent_error = None, str(e)
            else:
                self.links = frozenset(a.link for a in self.intent.addresses)
                self.vips = scope_for(self.intent, config.audit).vips
        return compile_event(self.state, reasons)

    def audit(self, reasons: tuple[str, ...]) -> None:
        """On a poll tick the IPVS table is compared first on its own (cheap, and the one thing
        only a poll can see change), then the whole host."""
        if self.config is None:
            return  # nothing ever compiled: there is no intent to compare with
        if self.intent is None:
            self._audited(AuditOutcome(time.time(), failure=self.intent_error), reasons)
            return
        if reasons == (POLL,) and self.dumps is not None:
            texts, notes = self.dumps
            quick = audit_step(self.config, self.intent, lambda: (with_fresh_ipvs(texts), notes))[0]
            self._audited(quick, reasons)
        outcome, self.dumps = audit_step(self.config, self.intent, collect_all)
        self._audited(outcome, reasons)

    def _audited(self, outcome: AuditOutcome, reasons: tuple[str, ...]) -> None:
        before, self.state = self.state, after_audit(self.state, outcome)
        event = audit_event(before, self.state, reasons)
        if event is not None:
            self.emit(event)

    def publish_metrics(self) -> None:
        path = self.options.metrics_file
        if path is None:
            return
        try:
            write_metrics(path, metrics(self.state))
        except OSError as e:
            self._failed(f"metrics file {path}", str(e))
        else:
            self.broken.discard(f"metrics file {path}")

    # --- change sources ---------------------------------------------------------------------

    def _on_files(self, now: float) -> None:
        self.pending = self.pending.add(file_reasons(self.inotify.read(), self.files), now)

    def _on_netlink(self, subscription: netlink.Subscription, now: float) -> None:
        try:
            datagrams, overrun = subscription.read()
        except OSError as e:
            self._drop(subscription)
            self._failed(f"netlink {subscription.name}", str(e))
            return
        if overrun or any(self._matters(subscription.name, d) for d in datagrams):
            self.pending = self.pending.add([subscription.name], now)

    def _matters(self, source: str, datagram: bytes) -> bool:
        if source == "nftables":
            return netlink.nftables_changed(datagram)
        if self.intent is None:
            return True
        return any(netlink.address_matters(c, netlink.link_of(c), self.links, self.vips)
                   for c in netlink.address_changes(datagram))

    def repair_sources(self) -> None:
        """Watch every directory that holds a config file and open the netlink sockets; what
        fails is reported once and retried on the next cycle."""
        for directory in sorted({f.parent for f in self.files} - self.inotify.directories):
            try:
                self.inotify.watch(directory)
            except InotifyError as e:
                self._failed(f"directory {directory}", str(e))
            else:
                self.broken.discard(f"directory {directory}")
        if not self.options.audit:
            return
        for name, opener in (("addresses", netlink.addresses), ("nftables", netlink.nftables)):
            if name in self.subscriptions:
                continue
            try:
                subscription = opener()
            except OSError as e:
                self._failed(f"netlink {name}", str(e))
                continue
            self.subscriptions[name] = subscription
            self.selector.register(subscription, selectors.EVENT_READ,
                                   lambda now, s=subscription: self._on_netlink(s, now))
            self.broken.discard(f"netlink {name}")

    def _needs_timer(self) -> bool:
        return self.options.audit or bool({f.parent for f in self.files} - self.inotify.directories) or bool(self.broken)

    def _failed(self, source: str, message: str) -> None:
        if source not in self.broken:
            self.broken.add(source)
            self.emit(source_event(time.time(), source, message))

    def _drop(self, subscription: netlink.Subscription) -> None:
        self.selector.unregister(subscription)
        subscription.close()
        self.subscriptions.pop(subscription.name, None)

    def close(self) -> None:
        for subscription in list(self.subscriptions.values()):
            self._drop(subscription)
        self.selector.unregister(self.inotify)
        self.inotify.close()
        self.selector.close()


def _drain(sock: socket.socket) -> None:
    try:
        while sock.recv(4096):
            pass
    except BlockingIOError:
        pass
