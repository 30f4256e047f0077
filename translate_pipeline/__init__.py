"""translate-pipeline: detect, translate offline with Argos models, summarize in every language.

The Python API (:mod:`translate_pipeline.api`)::

    import translate_pipeline as tp

    tp.detect(text)                                   # Detection(code, confidence)
    tp.summarize(text, sentences=3, to=["en"])        # Summary: sentences per language
    tp.translate(text, to="en")                       # the translation, paragraphs kept
    tp.translate_many(texts, to="en")                 # many, batched as run batches
    for result in tp.process(articles, to=["en", "uk"]):   # what run does, one at a time
        ...

The names are imported on first use, so ``import translate_pipeline`` (and every command that
needs none of them) stays fast.
"""

from translate_pipeline._version import __version__

__all__ = [
    "__version__", "Article", "ArticleResult", "Detection", "Failure", "Summary", "detect",
    "process", "summarize", "translate", "translate_many",
]

_API = {"Summary", "detect", "process", "summarize", "translate", "translate_many"}
_RECORDS = {"Article", "ArticleResult", "Detection", "Failure"}


def __getattr__(name: str):
    if name in _API:
        from translate_pipeline import api

        return getattr(api, name)
    if name in _RECORDS:
        from translate_pipeline import records

        return getattr(records, name)
    raise AttributeError(f"module 'translate_pipeline' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
