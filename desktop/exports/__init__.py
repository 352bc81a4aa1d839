"""File → Export (W3C Web Annotation, CSV, HTML report) and "Save original as…" in the window."""
