"""Bundles in the window: export, verify and import `.sesame` files (issue 9)."""
