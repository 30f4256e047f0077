"""translate-pipeline: detect, translate offline with Argos models, summarize in every language."""

__version__ = "0.1.0"
