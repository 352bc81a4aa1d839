"""Subcommands of `sesame`, one module per area; `archive.cli` loads them all.

Each module defines `register_commands(add)`; see `archive.cli`.
"""
