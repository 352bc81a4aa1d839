"""Sesame's desktop app (PySide6). Calls `archive`; never writes SQL itself."""
