"""Reading input files: size limits, encodings, binary files, display paths.

Every parser gets its text from here, so the rules about what tolint is willing to
read live in one place.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
from dataclasses import dataclass

DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class SourceError(Exception):
    """The file cannot be used as text; the message is shown to the user as is."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Source:
    path: str  # filesystem path ("-" for stdin)
    display: str  # path as shown in findings
    text: str


def split_lines(text: str, keepends: bool = False) -> list[str]:
    """Lines as nginx, HAProxy, git and editors count them: ended by LF only.

    ``str.splitlines`` also breaks at NEL, LS, PS, form feeds and other separators, so one
    such character in a comment would shift every later line number. Without
    ``keepends`` the CR of a CRLF ending is dropped, as ``splitlines`` does.
    """
    parts = text.split("\n")
    if keepends:
        return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    if not parts[-1]:
        parts.pop()
    return [part[:-1] if part.endswith("\r") else part for part in parts]


def display_path(path: str, cwd: str | None = None) -> str:
    """Path relative to the working directory when it lies below it, else absolute; POSIX separators.

    A file name that is not valid UTF-8 shows its stray bytes as ``\\xNN``, so that every
    output format (JSON, SARIF, XML, a terminal) can carry it.
    """
    if path == "-":
        return "<stdin>"
    absolute = os.path.abspath(path)
    base = os.path.abspath(cwd or os.getcwd())
    try:
        relative = os.path.relpath(absolute, base)
    except ValueError:  # another drive on Windows
        return printable_name(absolute.replace(os.sep, "/"))
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return printable_name(absolute.replace(os.sep, "/"))
    return printable_name(relative.replace(os.sep, "/"))


def printable_name(name: str) -> str:
    """A file system name as valid Unicode: undecodable bytes (surrogate escapes) become ``\\xNN``."""
    if name.isascii():
        return name
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that is not an escaped byte
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def decode(data: bytes) -> str:
    """Decode file bytes: honour a BOM, refuse binary data, require UTF-8 otherwise.

    A file whose line breaks are all a lone CR (classic Mac OS) gets LF instead, as editors
    show it, so that every parser counts its lines; CRLF, and a stray CR in a file with LF
    line breaks, are left alone (every parser reads them, and counts lines as the products do).
    """
    text = _decode(data)
    if "\r" in text and "\n" not in text:
        return text.replace("\r", "\n")
    return text


def _decode(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise SourceError(f"not valid {encoding} text despite its byte-order mark") from exc
    if b"\x00" in data[:8192]:
        raise SourceError("binary file (contains NUL bytes); not a configuration file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8",
            line=line,
        ) from exc


def _open_nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def read_regular_file(path: str, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; ``OSError`` for anything else.

    For files a repository names that are not configuration to lint (its tolint config,
    ``extends``, the baseline): a FIFO would block, a device (``/dev/zero``) never ends.
    """
    with open(path, "rb", opener=_open_nonblocking) as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a FIFO, socket or device)")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise OSError(errno.EFBIG, f"larger than {max_bytes} bytes")
    return data


def read_source(path: str, display: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Source:
    """Read and decode one file, raising ``SourceError`` with a plain message on failure."""
    try:
        size = os.path.getsize(path)
        if size > max_bytes:
            raise SourceError(
                f"file is {size} bytes, above the {max_bytes}-byte limit (max-file-size); skipped"
            )
        # Non-blocking, so that opening a FIFO does not wait for a writer; then only regular
        # files are read (a FIFO, socket or device could block or never end).
        with open(path, "rb", opener=_open_nonblocking) as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise SourceError("not a regular file (a FIFO, socket or device); not read")
            # Ask for what the file holds (a buffer of max-file-size per file would be
            # allocated and dropped for every read), then for the rest if it grew meanwhile.
            data = handle.read(min(size, max_bytes) + 1)
            if len(data) > size:
                data += handle.read(max_bytes + 1 - len(data))
    except FileNotFoundError as exc:
        if os.path.islink(path):
            raise SourceError("broken symbolic link: its target does not exist") from exc
        raise SourceError("file not found (it may have been removed while tolint ran)") from exc
    except IsADirectoryError as exc:
        raise SourceError("is a directory, not a file") from exc
    except PermissionError as exc:
        raise SourceError("permission denied") from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SourceError("symbolic link loop (the link leads back to itself); not read") from exc
        raise SourceError(f"cannot read file: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise SourceError(f"file is above the {max_bytes}-byte limit (max-file-size); skipped")
    return Source(path=path, display=display, text=decode(data))
