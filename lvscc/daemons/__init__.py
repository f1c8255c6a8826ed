"""What the HA daemons' config formats can say (keepalived.conf, Piranha's lvs.cf), how their
strings are quoted, and how a health check maps onto their checkers. Their backends under
backends/ render with these."""
