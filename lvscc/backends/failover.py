"""What the failover daemons' backends (keepalived, piranha) share."""

from lvscc.model.config import Config, Heartbeat


def heartbeat_of(config: Config) -> Heartbeat:
    """The heartbeat the daemons run: the declared one, else the documented defaults
    (docs/language.md: port 539, every 2 s, dead after 5 s), never the daemons' own."""
    return config.heartbeat or Heartbeat()
