"""File → Export (W3C Web Annotation, CSV) and "Save original as…" in the window."""
