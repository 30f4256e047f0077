"""Stage 6: rendering results and writing them to a destination (a folder, a URL, stdout)."""
