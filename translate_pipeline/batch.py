"""Batch runs: files and folders in, per-article JSON and Markdown out, a tally at the end."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from translate_pipeline.errors import InputError, OutputError
from translate_pipeline.pipeline import Failure, Outcome, Pipeline
from translate_pipeline.readers import InputFile, read_file
from translate_pipeline.records import Article, ArticleResult
from translate_pipeline.writers import write_outputs

__all__ = ["BatchReport", "read_items", "run_batch"]


@dataclass(frozen=True)
class BatchReport:
    """``done``: written complete; ``partial``: written, some target language missing;
    ``failed``: nothing written."""

    done: int = 0
    partial: int = 0
    failed: int = 0

    @property
    def ok(self) -> bool:
        return self.partial == 0 and self.failed == 0


def read_items(found: Iterable[InputFile | InputError]) -> Iterator[Article | Failure]:
    """Read each discovered file lazily; unreadable inputs become failures, never exceptions."""
    for item in found:
        if isinstance(item, InputError):
            yield Failure(item.subject, "", item)
            continue
        try:
            yield read_file(item)
        except InputError as exc:
            yield Failure(str(item.path), item.id, exc)


def run_batch(
    found: Iterable[InputFile | InputError],
    out_dir: Path,
    pipeline: Pipeline,
    on_outcome: Callable[[Outcome, list[str]], None] | None = None,
) -> BatchReport:
    """Process and write every input; ``on_outcome(outcome, problems)`` after each one."""
    done = partial = failed = 0
    for outcome in pipeline.process(read_items(found)):
        problems: list[str] = []
        if isinstance(outcome, ArticleResult):
            try:
                write_outputs(out_dir, outcome)
            except OutputError as exc:
                outcome = Failure(outcome.article.source, outcome.article.id, exc)
            else:
                problems = [f"{outcome.article.source}: {e}" for e in outcome.errors]
        if isinstance(outcome, Failure):
            failed += 1
            problems = [str(outcome.error)]
        elif problems:
            partial += 1
        else:
            done += 1
        if on_outcome is not None:
            on_outcome(outcome, problems)
    return BatchReport(done, partial, failed)
