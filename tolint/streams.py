"""Output streams whose reader may go away: ``tolint check | head``.

Unix tools stop quietly when the program reading their output exits. Python raises
``BrokenPipeError`` instead, and again when it flushes standard output at exit. A
``ReaderGuard`` swallows both: once the reader is gone, output is dropped, the run goes
on (other ``--format NAME=FILE`` outputs are still written) and tolint exits with the
code the run earned, so a gate does not depend on how much of the report was read.
"""

from __future__ import annotations

import os
from typing import Any, TextIO


class ReaderGuard:
    """Wraps a text stream; writes after the reader has gone are dropped without an error."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.reader_gone = False

    def write(self, text: str) -> int:
        if not self.reader_gone:
            try:
                self._stream.write(text)
            except BrokenPipeError:
                self._stop()
        return len(text)

    def flush(self) -> None:
        if not self.reader_gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._stop()

    def isatty(self) -> bool:
        return not self.reader_gone and hasattr(self._stream, "isatty") and self._stream.isatty()

    def __getattr__(self, name: str) -> Any:  # encoding, buffer, fileno, ... of the wrapped stream
        return getattr(self._stream, name)

    def _stop(self) -> None:
        self.reader_gone = True
        # Python flushes standard output once more at exit; let that flush go to /dev/null
        # instead of printing "Exception ignored ... BrokenPipeError".
        try:
            descriptor = self._stream.fileno()
        except (AttributeError, OSError, ValueError):
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, descriptor)
        finally:
            os.close(devnull)


def guard(stream: TextIO) -> TextIO:
    """``stream`` wrapped in a ``ReaderGuard`` (once)."""
    return stream if isinstance(stream, ReaderGuard) else ReaderGuard(stream)  # type: ignore[return-value]
