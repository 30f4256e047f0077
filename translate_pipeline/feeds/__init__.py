"""``feed``: RSS/Atom feeds followed with a SQLite state, items through the pipeline, Atom out."""
