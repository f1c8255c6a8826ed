"""`lvscc serve CONFIG [--listen ADDR:PORT] [--from-dump DIR | --host NAME] [--allow CIDR ...]`:
a password-protected web view of the cluster, its drift, its config and artifacts
(docs/serve.md). `lvscc serve --set-password` sets that password. Localhost only unless
--listen and --allow say otherwise; TLS belongs to a reverse proxy in front of it."""

from __future__ import annotations

import argparse
import getpass
import sys
from ipaddress import ip_address, ip_network
from pathlib import Path

DEFAULT_LISTEN = "127.0.0.1:3636"  # Piranha's port (the guide's 2.3)
DEFAULT_PASSWORD_FILE = Path("/etc/lvscc/serve.passwd")


def listen_address(text: str) -> tuple[str, int]:
    """`ADDR:PORT` or `[V6ADDR]:PORT`."""
    host, sep, port = text.rpartition(":")
    try:
        address = ip_address(host.strip("[]"))
        number = int(port)
        if not sep or not 0 < number < 65536:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not ADDR:PORT, such as 127.0.0.1:3636 or [::1]:3636") from None
    return str(address), number


def network(text: str):  # noqa: ANN201 - IPv4Network | IPv6Network
    try:
        return ip_network(text, strict=False)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a network such as 192.0.2.0/24") from None


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("serve", help="a web view of the cluster, its drift, config and artifacts")
    parser.add_argument("config", metavar="CONFIG", nargs="?")
    parser.add_argument("--listen", type=listen_address, default=DEFAULT_LISTEN, metavar="ADDR:PORT",
                        help=f"where to listen (default: {DEFAULT_LISTEN})")
    parser.add_argument("--from-dump", metavar="DIR", type=Path, help="show the dump `lvscc snapshot` wrote, not this machine")
    parser.add_argument("--host", metavar="NAME",
                        help="which host of the config this machine (or the dump) is (default: the only host, else primary)")
    parser.add_argument("--allow", type=network, action="append", metavar="CIDR",
                        help="a network whose clients may connect (repeatable; default: localhost only)")
    parser.add_argument("--password-file", type=Path, default=DEFAULT_PASSWORD_FILE, metavar="FILE",
                        help=f"the scrypt password hash (default: {DEFAULT_PASSWORD_FILE})")
    parser.add_argument("--set-password", action="store_true",
                        help="read a new password (twice on a terminal, else one line of stdin), store its hash, exit")
    parser.add_argument("--interval", type=float, default=5.0, metavar="SECONDS",
                        help="live: how often IPVS, which sends no change notifications, is polled (default: 5)")
    parser.set_defaults(run=run)


def _new_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("New lvscc serve password: ")
        if getpass.getpass("Again: ") != first:
            raise ValueError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def set_password(path: Path) -> int:
    from lvscc.serve import passwords

    try:
        passwords.write(path, passwords.hash_password(_new_password()))
    except (passwords.PasswordError, ValueError, OSError) as e:
        print(f"lvscc serve: {e}", file=sys.stderr)
        return 2
    print(f"password stored in {path} (mode 0600)", file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.set_password:
        return set_password(args.password_file)
    if args.config is None:
        print("lvscc serve: CONFIG is required (or --set-password)", file=sys.stderr)
        return 2
    import uvicorn

    from lvscc.serve import access, passwords
    from lvscc.serve.app import Settings, build
    from lvscc.serve.monitor import Monitor
    from lvscc.serve.view import Target

    try:
        settings = Settings(tuple(args.allow) if args.allow else access.LOCALHOST, passwords.read(args.password_file))
    except passwords.PasswordError as e:
        print(f"lvscc serve: {e}", file=sys.stderr)
        return 2
    monitor = Monitor(Target(Path(args.config), args.host, args.from_dump), args.interval)
    monitor.start()
    address, port = args.listen
    print(f"lvscc serve: http://{address if ':' not in address else f'[{address}]'}:{port}/ "
          f"(allowing {', '.join(str(n) for n in settings.allow)})", file=sys.stderr, flush=True)
    try:
        uvicorn.run(build(monitor, settings), host=address, port=port, proxy_headers=False, server_header=False,
                    timeout_graceful_shutdown=2, log_level="info")
    finally:
        monitor.stop()
    return 0
