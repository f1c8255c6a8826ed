"""lvscc: compile and audit Linux Virtual Server (IPVS) clusters."""

__version__ = "0.1.0"
