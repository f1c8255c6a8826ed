"""Typed data of lvscc: the configuration IR (config.py), source spans (span.py) and the
kernel-facing state shared by lowering and the auditor's probes (state.py)."""
