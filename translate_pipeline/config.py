"""Where things live on disk, and settings read from the environment.

Precedence everywhere: command-line flag, then environment variable, then default.

- ``TRANSLATE_PIPELINE_HOME``: the project's data directory (translation cache, feed state);
  default ``$XDG_DATA_HOME/translate-pipeline`` (``~/.local/share/translate-pipeline``).
- The configuration file (defaults for the command line's options, read by the CLI):
  ``$TRANSLATE_PIPELINE_CONFIG``, else ``$XDG_CONFIG_HOME/translate-pipeline/config.toml``
  (``~/.config/translate-pipeline/config.toml``); see :func:`config_file`.
- Argos packages live where argostranslate keeps them: ``ARGOS_PACKAGES_DIR``, else
  ``$XDG_DATA_HOME/argos-translate/packages``. Both are read on every call, so a process (or a test)
  can change them at any time.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["LOCK_NAME", "data_home", "data_dir", "config_file", "argos_packages_dir", "env_setting",
           "env_whole_number", "env_count", "usable_cores"]

#: The lock file ``run`` and ``feed`` hold in an output folder; a folder holding it is an output
#: folder, never read back as input.
LOCK_NAME = ".translate-pipeline.lock"


def data_home() -> Path:
    """``$XDG_DATA_HOME`` or ``~/.local/share``."""
    xdg = os.environ.get("XDG_DATA_HOME")
    return Path(xdg) if xdg else Path.home() / ".local" / "share"


def data_dir() -> Path:
    """The project's own data directory (not created here)."""
    explicit = os.environ.get("TRANSLATE_PIPELINE_HOME")
    return Path(explicit) if explicit else data_home() / "translate-pipeline"


def config_file() -> tuple[Path, bool]:
    """The configuration file to read, and whether it was named explicitly
    (``$TRANSLATE_PIPELINE_CONFIG``: then it must exist); else the user's own,
    ``$XDG_CONFIG_HOME/translate-pipeline/config.toml`` (``~/.config/...``), read when it exists."""
    explicit = env_setting("TRANSLATE_PIPELINE_CONFIG")
    if explicit:
        return Path(explicit), True
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg) if xdg else Path.home() / ".config"
    return base / "translate-pipeline" / "config.toml", False


def argos_packages_dir() -> Path:
    """The directory argostranslate installs packages into (not created here)."""
    explicit = os.environ.get("ARGOS_PACKAGES_DIR")
    return Path(explicit) if explicit else data_home() / "argos-translate" / "packages"


def env_setting(name: str, default: str | None = None) -> str | None:
    """An environment variable, with empty values treated as unset."""
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_whole_number(name: str, default: int) -> int:
    """An environment variable that must be a whole number >= 1 (unset or empty: ``default``);
    raises :class:`ValueError` naming the variable and the value."""
    value = env_setting(name, str(default))
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a whole number >= 1, not {value!r}")
    return int(value)


def env_count(name: str, default: int = 0) -> int:
    """An environment variable that must be a whole number >= 0 (0: choose for me; unset or
    empty: ``default``); raises :class:`ValueError` naming the variable and the value."""
    value = (env_setting(name, str(default)) or str(default)).strip()
    if not value.isdigit():
        raise ValueError(f"{name} must be a whole number >= 0 (0: automatic), not {value!r}")
    return int(value)


def usable_cores() -> int:
    """The cores this process may run on (``taskset``, a container's CPU set), which can be
    far fewer than ``os.cpu_count()``: one thread per usable core, not per core of the host."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1
