"""``run --output -``: one JSON record per line on a binary stream, flushed per article."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from translate_pipeline.errors import OutputError
from translate_pipeline.outputs.formats import Outputs
from translate_pipeline.outputs.local import cannot_write
from translate_pipeline.outputs.render import record_line

__all__ = ["StreamOutputs"]


class StreamOutputs(Outputs):
    """One JSON record per line on a binary stream, flushed per article (for pipes)."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.closed = False  # the reader went away (``| head``)

    def write(self, result, fingerprint) -> None:
        try:
            self.stream.write(record_line(result.to_dict()))
            self.stream.flush()
        except BrokenPipeError as exc:
            self.closed = True
            raise cannot_write(Path("-"), exc) from exc
        except (OSError, ValueError) as exc:  # a full device, a closed or bad descriptor
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            error = OutputError("-", f"cannot write: {reason}", stops_batch=True)
            raise error from exc

    def gone(self) -> bool:
        return self.closed
