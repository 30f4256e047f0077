"""What ``run`` writes and the contract every kind of output keeps.

- ``json`` and ``markdown`` (the default is both): ``DIR/<id>.json`` and ``DIR/<id>.<lang>.md``
  per article; ``jsonl``: ``DIR/articles.jsonl`` (:mod:`~translate_pipeline.outputs.local`, and
  the same bytes at a URL: :mod:`~translate_pipeline.outputs.remote`);
- ``document``: ``DIR/<lang>/<id>.md``, a translated copy of each Markdown input per target
  (:mod:`~translate_pipeline.outputs.document`; local folders only);
- ``--output -``: JSON Lines on stdout as each article is done
  (:mod:`~translate_pipeline.outputs.stream`); no files, no lock, no resume.

Each kind answers :meth:`Outputs.is_complete` for resuming (the fingerprint in the JSON record, in
the Markdown front matter, or in the ``articles.jsonl`` line); :func:`combine` makes one of several.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from translate_pipeline.records import ArticleResult

__all__ = ["FORMATS", "DEFAULT_FORMATS", "JSONL_NAME", "Outputs", "combine"]

FORMATS = ("json", "jsonl", "markdown", "document")
DEFAULT_FORMATS = ("json", "markdown")
#: The JSON Lines file ``run --format jsonl`` writes in its output folder.
JSONL_NAME = "articles.jsonl"


class Outputs:
    """What a batch writes each result to; the default writes nothing and resumes nothing."""

    def is_complete(self, article_id: str, fingerprint: str, languages: Sequence[str]) -> bool:
        return False

    def write(self, result: ArticleResult, fingerprint: str | None) -> None:
        """Raises :class:`OutputError` (its cause the OSError) when the result cannot be written."""

    def written(self, result: ArticleResult, fingerprint: str | None) -> None:
        """A worker process (``run --jobs``) wrote the article's own files: write the rest (the
        one JSON Lines file, which only this process writes, in input order)."""

    def skipped(self, article_id: str) -> None:
        """The article was complete and not redone."""

    def close(self) -> str | None:
        """Finish (after the last article, also after a stop); a problem is returned, not raised."""
        return None

    def abort(self) -> None:
        """The batch ended with an exception: leave the previous outputs as they were."""

    def gone(self) -> bool:
        """The reader went away (a closed pipe): nothing more can be delivered."""
        return False


class _All(Outputs):
    """Several kinds at once (``--format json --format jsonl``): complete when each is."""

    def __init__(self, parts: list[Outputs]):
        self.parts = parts

    def is_complete(self, article_id, fingerprint, languages) -> bool:
        return all(p.is_complete(article_id, fingerprint, languages) for p in self.parts)

    def write(self, result, fingerprint) -> None:
        for part in self.parts:  # files first: a JSON record on disk means the article is done
            part.write(result, fingerprint)

    def written(self, result, fingerprint) -> None:
        for part in self.parts:
            part.written(result, fingerprint)

    def skipped(self, article_id) -> None:
        for part in self.parts:
            part.skipped(article_id)

    def close(self) -> str | None:
        problems = [p for p in (part.close() for part in self.parts) if p]
        return "; ".join(problems) or None

    def abort(self) -> None:
        for part in self.parts:
            part.abort()


def combine(formats: Sequence[str], files: Callable[[tuple[str, ...]], Outputs],
            jsonl: Callable[[], Outputs],
            documents: Callable[[bool], Outputs] | None = None) -> Outputs:
    """The outputs ``formats`` ask for (none: the default ones): ``documents(alone)`` for the
    translated copies of Markdown documents (first: the JSON records come after them),
    ``files(formats)`` for JSON and Markdown files per article, ``jsonl()`` for the one JSON
    Lines file, or several."""
    formats = tuple(formats) or DEFAULT_FORMATS
    parts: list[Outputs] = []
    if "document" in formats:
        if documents is None:
            raise ValueError("this destination cannot write --format document")
        parts.append(documents("json" not in formats and "jsonl" not in formats))
    if "json" in formats or "markdown" in formats:
        parts.append(files(formats))
    if "jsonl" in formats:
        parts.append(jsonl())
    return parts[0] if len(parts) == 1 else _All(parts)
