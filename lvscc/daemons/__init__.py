"""What the HA daemons' config formats can say (keepalived.conf, Piranha's lvs.cf), how their
strings are quoted, and how a health check maps onto their checkers. Their backends under
backends/ render with these."""

from lvscc.model.config import Config, Heartbeat


def heartbeat_of(config: Config) -> Heartbeat:
    """The heartbeat the daemons run: the declared one, else the documented defaults
    (docs/language.md: port 539, every 2 s, dead after 5 s), never the daemons' own."""
    return config.heartbeat or Heartbeat()
