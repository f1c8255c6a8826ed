"""Subcommands of the `lvscc` CLI, one module each."""
