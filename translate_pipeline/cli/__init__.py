"""The command line (``translate-pipeline``): thin click commands over the library."""

from translate_pipeline.cli.app import cli, main

__all__ = ["cli", "main"]
