"""A minimal FTP server for the kernel lab, enough for Python's ftplib: login, TYPE, PASV, PORT,
RETR, QUIT. Each real server's instance runs in its own namespace (sockets are opened inside
it), serves a file whose content names the server, and takes passive ports from the range the
director marks. A PASV reply announces the address the control connection arrived at: its
own address behind NAT (ip_vs_ftp rewrites it to the VIP), the VIP itself under direct routing.
Active-mode data connections leave from that address's port 20, as an FTP server's do."""

from __future__ import annotations

import random
import socket
import threading
from ipaddress import IPv4Address

from .lab import entered

FTP_DATA = 20


def payload(name: str) -> bytes:
    """The file every server offers: its name, then enough bytes for several TCP segments."""
    return f"{name}\n".encode() + bytes(range(256)) * 64


class FtpServer:
    def __init__(self, netns: str, name: str, passive: tuple[int, int]) -> None:
        self.netns, self.name, self.passive = netns, name, passive
        self.sessions = 0
        with entered(netns):
            self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("0.0.0.0", 21))
        self._listener.listen(16)
        threading.Thread(target=self._accept, name=f"ftp-{name}", daemon=True).start()

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.sessions += 1
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rwb") as control:
            Session(self, conn, control).run()


class Session:
    def __init__(self, server: FtpServer, conn: socket.socket, control) -> None:  # noqa: ANN001
        self.server, self.control = server, control
        self.local = IPv4Address(conn.getsockname()[0])
        self.passive: socket.socket | None = None
        self.active: tuple[str, int] | None = None

    def reply(self, text: str) -> None:
        self.control.write(f"{text}\r\n".encode())
        self.control.flush()

    def run(self) -> None:
        self.reply("220 lvscc lab ftp")
        for raw in self.control:
            command, _, argument = raw.decode().strip().partition(" ")
            command = command.upper()
            if command == "QUIT":
                self.reply("221 bye")
                return
            handler = getattr(self, f"on_{command.lower()}", None)
            if handler is None:
                self.reply("502 not implemented")
            else:
                handler(argument)

    def on_user(self, _: str) -> None:
        self.reply("331 any password")

    def on_pass(self, _: str) -> None:
        self.reply("230 logged in")

    def on_type(self, _: str) -> None:
        self.reply("200 type set")

    def on_pasv(self, _: str) -> None:
        with entered(self.server.netns):
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        for _attempt in range(50):
            port = random.randint(*self.server.passive)
            try:
                listener.bind((str(self.local), port))
                break
            except OSError:
                continue
        listener.listen(1)
        listener.settimeout(10)
        self.passive, self.active = listener, None
        numbers = ",".join(str(self.local).split(".")) + f",{port >> 8},{port & 0xFF}"
        self.reply(f"227 Entering Passive Mode ({numbers})")

    def on_port(self, argument: str) -> None:
        numbers = [int(n) for n in argument.split(",")]
        self.active, self.passive = (".".join(map(str, numbers[:4])), numbers[4] * 256 + numbers[5]), None
        self.reply("200 PORT ok")

    def on_retr(self, _: str) -> None:
        data = self._data_connection()
        if data is None:
            self.reply("425 no data connection")
            return
        self.reply("150 sending")
        with data:
            data.sendall(payload(self.server.name))
        self.reply("226 done")

    def _data_connection(self) -> socket.socket | None:
        if self.passive is not None:
            with self.passive:
                try:
                    return self.passive.accept()[0]
                except OSError:
                    return None
        if self.active is None:
            return None
        with entered(self.server.netns):
            data = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        data.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        data.settimeout(10)
        try:
            data.bind((str(self.local), FTP_DATA))
            data.connect(self.active)
        except OSError:
            data.close()
            return None
        return data
