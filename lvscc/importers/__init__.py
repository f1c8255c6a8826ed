"""Importers: foreign LVS configs (Piranha lvs.cf, keepalived.conf, ipvsadm-save) -> Config.
Each is `import_X(text, filename) -> (Config | None, diagnostics)`; the Config goes through
lvscc.fmt to become .lvs text. Nothing is dropped silently: every keyword that does not become
part of the Config yields a diagnostic with its file:line (codes in common.py)."""
