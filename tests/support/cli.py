"""The one way tests run the CLI: in-process, with click's CliRunner; and what ``run`` says on
stderr (the tally, the error lines)."""

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
