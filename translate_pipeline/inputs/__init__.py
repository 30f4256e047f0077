"""Stage 1: finding inputs and reading them into articles (any kind, any encoding)."""
