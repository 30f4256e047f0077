"""Stages 2-4: language detection, sentence splitting and extractive summaries."""
