"""``run``'s progress line on stderr (a terminal only, and not with ``-q``):

    articles  37/120  31% |#########                   | 4.2/s  0:00:20 left

``done/total`` counts the articles finished; the bar, the rate and the estimate also count the
share of the current translation window already translated (the pipeline reports it as
sentences come out of the model: the engine's one CTranslate2 call per package, made
asynchronously, its results collected in order), so they move per article, not in bursts of
one window. The rate
is articles per second since the start; the estimate is what is left at that rate, shown once
something is done.
"""

from __future__ import annotations

import time
from typing import TextIO

import click

__all__ = ["Progress"]

_WIDTH = 28  # characters of the bar itself


class Progress:
    """A progress line for ``total`` articles on ``stream``; does nothing when not ``shown``."""

    def __init__(self, total: int, stream: TextIO, *, shown: bool, label: str = "articles"):
        self.total = max(total, 0)
        self.stream = stream
        self.shown = shown
        self.label = label
        self.done = 0
        self.within = 0.0  # articles of the current window, as translated so far
        self._start = time.monotonic()
        self._drawn = 0.0
        self._width = 0
        self._render(force=True)

    # what the run reports

    def advance(self, articles: int = 1) -> None:
        """``articles`` more are finished (their outcomes came out)."""
        self.done += articles
        self.within = max(0.0, self.within - articles)
        self._render(force=True)

    def window(self, articles: float) -> None:
        """So far ``articles`` of the window being translated (see ``Pipeline.process``)."""
        self.within = articles
        self._render()

    def echo(self, line: str) -> None:
        """A line of its own on stderr (an error), above the progress line."""
        self._clear()
        click.echo(line, err=True)
        self._render(force=True)

    def close(self) -> None:
        if self.shown and self._width:
            self._render(force=True)
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # the line

    def line(self, now: float | None = None) -> str:
        """The progress line as it stands (also for tests)."""
        now = time.monotonic() if now is None else now
        position = min(self.done + self.within, self.total) if self.total else self.done
        elapsed = max(now - self._start, 1e-9)
        rate = position / elapsed
        parts = [f"{self.label}  {self.done}/{self.total}"]
        if self.total:
            share = position / self.total
            filled = int(share * _WIDTH)
            parts.append(f"{int(share * 100):3d}% |{'#' * filled}{' ' * (_WIDTH - filled)}|")
        if position > 0:
            parts.append(f"{rate:.1f}/s" if rate >= 0.1 else f"{60 * rate:.1f}/min")
            if self.total and position < self.total:
                parts.append(f"{_clock((self.total - position) / rate)} left")
        return "  ".join(parts)

    def _render(self, force: bool = False) -> None:
        if not self.shown:
            return
        now = time.monotonic()
        if not force and now - self._drawn < 0.2:  # at most five a second
            return
        self._drawn = now
        text = self.line(now)
        self.stream.write("\r" + text + " " * max(0, self._width - len(text)))
        self.stream.flush()
        self._width = len(text)

    def _clear(self) -> None:
        if self.shown and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
