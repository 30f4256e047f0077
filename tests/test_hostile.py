"""Issue 14: attacks on the CLI (hostile input, hostile servers, unlucky faults), each reproduced.

Everything here talks to loopback servers only and is bounded in time.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from support.cli import error_lines, invoke

ENGLISH = (
    "Council approves the budget\n\n"
    "The city council approved the new budget on Tuesday. Schools will get more money than "
    "last year. Critics point to the high costs.\n"
)


@pytest.fixture
def news(tmp_path) -> Path:
    root = tmp_path / "news"
    root.mkdir()
    (root / "council.txt").write_text(ENGLISH, encoding="utf-8")
    return root


# 1. lock files must not follow symlinks (or hard links) planted in a shared folder


@pytest.mark.parametrize("plant", ["symlink", "hardlink"])
def test_run_refuses_a_planted_lock_file(news, tmp_path, plant):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "out"
    out.mkdir()
    getattr(os, plant if plant == "symlink" else "link")(victim, out / ".translate-pipeline.lock")
    result = invoke("run", news, "--from", "en", "--to", "en", "-o", out)
    assert result.exit_code == 1, result.output
    assert victim.read_text() == "precious\n"
    (line,) = error_lines(result)
    assert ".translate-pipeline.lock" in line and "refusing the lock file" in line
    assert not list(out.glob("*.json"))


def test_feed_refuses_a_symlinked_state_lock(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    state = tmp_path / "state.sqlite3"
    (tmp_path / "state.sqlite3.lock").symlink_to(victim)
    result = invoke("feed", tmp_path / "nothing.xml", "--to", "en", "--state", state,
                    "-o", tmp_path / "out", "--wait", "0.3")
    assert result.exit_code != 0
    assert victim.read_text() == "precious\n"
    assert "symbolic link" in result.stderr and "state.sqlite3.lock" in result.stderr


def test_errors_log_is_not_written_through_a_symlink(tmp_path):
    from translate_pipeline.outputs.journal import ErrorLog

    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    log = ErrorLog(tmp_path / "errors.jsonl")
    (tmp_path / "errors.jsonl").symlink_to(victim)  # planted after the run removed the old one
    log.add("x", "x", "InputError", "bad", "x: bad")
    assert victim.read_text() == "precious\n"
