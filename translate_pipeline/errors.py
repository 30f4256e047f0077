"""Every error the library raises derives from :class:`PipelineError`.

The tree::

    PipelineError                 anything the pipeline reports to the user
    ├── InputError                an input cannot be read or used (names the input)
    │   └── DetectionError        the language of an input cannot be detected
    ├── ModelError                Argos packages
    │   ├── PackageError          a package file or installed package is unusable (names it)
    │   ├── MissingPairError      no installed package (or pivot) for a language pair
    │   └── PackageNotFoundError  nothing to remove / nothing in the index for a pair
    ├── NetworkError              a download was asked for and the network failed
    └── OutputError               an output cannot be written (names the path)
        └── OutputLockedError     another run is writing to the same output folder

Each exception carries the thing it failed on (``subject``) and a human reason; ``str(exc)``
is one line that names both, so the CLI can print it as is.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "PipelineError",
    "InputError",
    "DetectionError",
    "ModelError",
    "PackageError",
    "MissingPairError",
    "PackageNotFoundError",
    "NetworkError",
    "OutputError",
    "OutputLockedError",
]


class PipelineError(Exception):
    """Base of every error the pipeline reports. ``subject`` names the failing thing."""

    def __init__(self, subject: str, reason: str):
        self.subject = subject
        self.reason = reason
        super().__init__(f"{subject}: {reason}")


class InputError(PipelineError):
    """An input (file, stdin, URL) cannot be read or used."""


class DetectionError(InputError):
    """The language of an input cannot be detected reliably."""


class ModelError(PipelineError):
    """Something is wrong with Argos packages."""


class PackageError(ModelError):
    """A package file or an installed package is corrupt or incompatible."""


class PackageNotFoundError(ModelError):
    """No package matches (nothing installed to remove, nothing in the index)."""


class MissingPairError(ModelError):
    """No installed package, direct or through a pivot, translates ``source`` to ``target``.

    ``suggested`` are the pairs to install: the missing leg of a pivot route when the other leg is
    installed, else the direct pair.
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
        pairs = ", ".join(f"{a}->{b}" for a, b in self.installed) or "none"
        commands = " and ".join(
            f"'translate-pipeline models install {a} {b}'" for a, b in self.suggested
        )
        super().__init__(
            f"{source}->{target}",
            f"no Argos model installed for {source}->{target} (installed: {pairs}); "
            f"install with {commands}, or offline from a file: "
            "'translate-pipeline models install FILE.argosmodel'",
        )


class NetworkError(PipelineError):
    """A download the user asked for failed (offline, timeout, HTTP error)."""


class OutputError(PipelineError):
    """An output file or folder cannot be written."""


class OutputLockedError(OutputError):
    """Another process holds the output folder's lock (``run`` exits with code 3)."""
