"""The one way tests run the CLI: in-process, with click's CliRunner; what ``run`` says on
stderr (the tally, the error lines); and a run killed mid-way (:func:`kill_when_written`)."""

import os
import signal
import subprocess
import time

from click.testing import CliRunner

from translate_pipeline.cli import cli


def invoke(*args, input=None):
    """``translate-pipeline ARGS...`` (each argument str()-ed), ``input`` on stdin; exceptions
    other than SystemExit propagate (a traceback is a bug, never a result)."""
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def tally(result) -> str:
    """The tally line (run's ``done N, ...``, feed's ``feeds N ...``), less its ``outputs in DIR``
    (what follows it, like the models to install, is not part of it)."""
    (line,) = [line for line in result.stderr.splitlines() if "; outputs in " in line]
    return line.rsplit("; outputs in", 1)[0]


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def kill_when_written(command, out, env) -> int:
    """Start ``command``, SIGKILL it as soon as a first ``*.json`` appears under ``out`` (or
    after 120 s), and return its exit status (``-9`` when the kill came in time)."""
    victim = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while victim.poll() is None and time.monotonic() < deadline:
            if out.is_dir() and any(out.rglob("*.json")):
                os.kill(victim.pid, signal.SIGKILL)
                break
            time.sleep(0.002)
    finally:
        if victim.poll() is None:
            victim.kill()
        victim.wait(30)
    return victim.returncode
