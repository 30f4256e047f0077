"""Every error the library raises derives from :class:`PipelineError`.

The tree::

    PipelineError                 anything the pipeline reports to the user
    ├── InputError                an input cannot be read or used (names the input)
    │   └── DetectionError        the language of an input cannot be detected
    ├── LanguageCodeError         a language given by its name, or a code that is none
    ├── ModelError                Argos packages
    │   ├── PackageError          a package file or installed package is unusable (names it)
    │   ├── MissingPairError      no installed package (or pivot) for a language pair
    │   └── PackageNotFoundError  nothing to remove / nothing in the index for a pair
    ├── NetworkError              a download was asked for and the network failed
    │   └── IndexNotCached        no package index cached, and none fetched
    ├── OutputError               an output cannot be written (names the path)
    │   ├── OutputLockedError     another run is writing to the same output folder
    │   ├── OutputUsageError      an --output URL that cannot work at all (no fsspec, ...)
    │   └── PipeClosed            the reader of --output - went away
    ├── StateLocked               another feed run holds the feed state
    ├── ConfigError               the configuration file cannot be used (names file and line)
    └── ClusterError              the cluster cannot be used (names the cluster or worker)
        └── DaskMissing           --cluster without Dask installed

Each exception carries the thing it failed on (``subject``) and a human reason; ``str(exc)``
is one line that names both, so the CLI can print it as is. Every one pickles (its ``args`` are
its constructor's), so cluster workers send them back as they are.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence

__all__ = [  # the exceptions; one_line() is imported by name
    "PipelineError",
    "InputError",
    "DetectionError",
    "LanguageCodeError",
    "with_advice",
    "ModelError",
    "PackageError",
    "MissingPairError",
    "PackageNotFoundError",
    "NetworkError",
    "IndexNotCached",
    "OutputError",
    "OutputLockedError",
    "OutputUsageError",
    "PipeClosed",
    "StateLocked",
    "ConfigError",
    "ClusterError",
    "DaskMissing",
]

# C0 controls (tab, newline, carriage return included), DEL, C1 controls, and the Unicode line
# and paragraph separators: what would let a file name or a feed's guid forge a line of its own.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with every control character escaped (``\\n``, ``\\x1b``, ``\\u2028``), so a
    message, a log line or a TSV field is one line whatever names it carries."""
    return _CONTROLS.sub(_escape, text)


def _escape(match: re.Match) -> str:
    char = match.group()
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
    if named:
        return named
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


class PipelineError(Exception):
    """Base of every error the pipeline reports. ``subject`` names the failing thing.

    ``suggested``: the ``(from, to)`` packages whose installation would fix it (none here;
    see :class:`MissingPairError`).
    """

    suggested: tuple[tuple[str, str], ...] = ()
    #: What the user of a command can do about it (``--from LANG``); the library's own message
    #: (``str(exc)``) never names a command-line flag, front ends add this (:func:`with_advice`).
    advice: str = ""

    def __init__(self, subject: str, reason: str):
        super().__init__(subject, reason)
        self.subject = subject
        self.reason = reason

    def __str__(self) -> str:
        return one_line(f"{self.subject}: {self.reason}")

    def with_subject(self, subject: str) -> PipelineError:
        """The same error about ``subject`` (a worker's path named as the client gave it)."""
        error = copy.copy(self)
        error.subject = subject
        if self.args[:1] == (self.subject,):
            error.args = (subject, *self.args[1:])
        return error


class InputError(PipelineError):
    """An input (file, stdin, URL) cannot be read or used."""


class DetectionError(InputError):
    """The language of an input cannot be detected reliably."""

    advice = "give the language with --from LANG"


def with_advice(error: PipelineError) -> str:
    """The error's line for a command's user: ``str(error)`` and, if it has one, its advice."""
    return f"{error}; {error.advice}" if error.advice else str(error)


class LanguageCodeError(PipelineError):
    """A language given as a name (``English``) or as a code that is no language (``xx``).

    ``subject`` is the value as given; ``suggestion`` the code it names, when it names one.
    """

    def __init__(self, subject: str, reason: str, suggestion: str | None = None):
        super().__init__(subject, reason)
        self.args = (subject, reason, suggestion)
        self.suggestion = suggestion


class ModelError(PipelineError):
    """Something is wrong with Argos packages."""


class PackageError(ModelError):
    """A package file or an installed package is corrupt or incompatible."""


class PackageNotFoundError(ModelError):
    """No package matches (nothing installed to remove, nothing in the index)."""


class MissingPairError(ModelError):
    """No installed package, direct or through a pivot, translates ``source`` to ``target``.

    ``suggested`` are the pairs to install: the missing leg of a pivot route when the other leg is
    installed, else the direct pair. The message is short (``no model de->uk``: a run prints it
    once per article); the commands that install them and the installed models are its
    ``advice`` (a run prints that once, at the end, for every missing model).
    """

    def __init__(
        self,
        source: str,
        target: str,
        installed: Sequence[tuple[str, str]],
        suggested: Sequence[tuple[str, str]] = (),
    ):
        self.source = source
        self.target = target
        self.installed = tuple(installed)
        self.suggested = tuple(suggested) or ((source, target),)
        super().__init__(f"{source}->{target}", f"no model {source}->{target}")
        pairs = ", ".join(f"{a}->{b}" for a, b in self.installed) or "none"
        self.advice = f"{_install_advice(self.suggested)} (installed: {pairs})"
        self.args = (source, target, self.installed, self.suggested)


def _install_advice(pairs: Sequence[tuple[str, str]]) -> str:
    """How to install ``pairs`` (the advice of a :class:`MissingPairError`, a line of
    ``errors.jsonl``): the commands, online and offline."""
    commands = " and ".join(f"'translate-pipeline models install {a} {b}'" for a, b in pairs)
    return (f"install with {commands}, or offline from a file: "
            "'translate-pipeline models install FILE.argosmodel'")


class NetworkError(PipelineError):
    """A download the user asked for failed (offline, timeout, HTTP error). ``cause`` is the
    short reason alone (``HTTP 404 Not Found``, ``Connection refused``), when there is one."""

    def __init__(self, subject: str, reason: str, cause: str = ""):
        super().__init__(subject, reason)
        self.args = (subject, reason, cause)
        self.cause = cause


class IndexNotCached(NetworkError):
    """The Argos package index is needed, none is cached and fetching it was not asked for (or
    failed: ``cause``)."""

    advice = "fetch it with 'translate-pipeline models available --refresh' when online"


class OutputError(PipelineError):
    """An output file or folder cannot be written. ``stops_batch``: nothing more can be written
    there (a URL whose server is gone), so a batch stops as on a full disk."""

    def __init__(self, subject: str, reason: str, *, stops_batch: bool = False):
        super().__init__(subject, reason)
        self.stops_batch = stops_batch


class OutputLockedError(OutputError):
    """Another process holds the output folder's lock (``run`` exits 75, EX_TEMPFAIL)."""


class OutputUsageError(OutputError):
    """An ``--output`` URL that cannot work at all (no fsspec, unknown protocol, backend
    missing): a usage error, before any work."""


class PipeClosed(OutputError):
    """The reader of ``--output -`` went away (``| head``): the rest is not processed."""

    def __init__(self, subject: str = "-", reason: str = "the reader of stdout went away"):
        super().__init__(subject, reason)


class StateLocked(PipelineError):
    """Another run holds the feed state's lock (the CLI exits 75, EX_TEMPFAIL)."""


class ConfigError(PipelineError):
    """The configuration file cannot be used: not TOML, an unknown table or key, a bad value.
    ``subject`` is ``FILE:LINE`` (or the file), ``reason`` names the key and what is wrong."""


class ClusterError(PipelineError):
    """The cluster cannot be used (unreachable scheduler, no workers, wrong version on a
    worker), or a partition was lost on it."""


class DaskMissing(ClusterError):
    """``--cluster`` was given but Dask is not installed."""
