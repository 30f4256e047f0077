"""The error tree: every exception the package raises derives from PipelineError, names what it
failed on, and pickles (cluster workers send exceptions back as they are)."""

from __future__ import annotations

import inspect
import pickle

import pytest

from translate_pipeline import errors

EXAMPLES = {
    errors.PipelineError: errors.PipelineError("thing", "broke"),
    errors.InputError: errors.InputError("a.txt", "is empty"),
    errors.DetectionError: errors.DetectionError("a.txt", "too short to detect"),
    errors.LanguageCodeError: errors.LanguageCodeError("English", "is a language name", "en"),
    errors.ModelError: errors.ModelError("de->en", "bad"),
    errors.PackageError: errors.PackageError("pkg.argosmodel", "not a zip"),
    errors.MissingPairError: errors.MissingPairError("de", "uk", [("de", "en")], [("en", "uk")]),
    errors.PackageNotFoundError: errors.PackageNotFoundError("de->en", "not installed"),
    errors.NetworkError: errors.NetworkError("https://example.org", "offline", "timed out"),
    errors.IndexNotCached: errors.IndexNotCached("index.json", "no cached package index"),
    errors.OutputError: errors.OutputError("out", "cannot write: full", stops_batch=True),
    errors.OutputLockedError: errors.OutputLockedError("out", "another run (pid 7)"),
    errors.OutputUsageError: errors.OutputUsageError("s3://b", "URL outputs need fsspec"),
    errors.PipeClosed: errors.PipeClosed(),
    errors.StateLocked: errors.StateLocked("feeds.sqlite3", "another run holds the feed state"),
    errors.ConfigError: errors.ConfigError("tp.toml:3", "key 'sentences' in [run]: must be a "
                                                     "whole number, not 'two'"),
    errors.ClusterError: errors.ClusterError("--cluster local", "no workers"),
    errors.DaskMissing: errors.DaskMissing("--cluster", "pip install -e '.[dask]'"),
}


def test_every_exception_of_the_module_has_an_example():
    defined = {obj for _, obj in inspect.getmembers(errors, inspect.isclass)
               if issubclass(obj, Exception) and obj.__module__ == errors.__name__}
    assert defined == set(EXAMPLES)
    assert set(errors.__all__) == {cls.__name__ for cls in defined} | {"with_advice"}


def test_advice_is_for_commands_not_in_the_message():
    error = errors.DetectionError("a.txt", "text too short to detect its language (3 letters)")
    assert "--from" not in str(error)
    assert errors.with_advice(error) == (
        "a.txt: text too short to detect its language (3 letters); "
        "give the language with --from LANG")
    assert errors.with_advice(errors.InputError("a.txt", "is empty")) == "a.txt: is empty"


@pytest.mark.parametrize("cls", sorted(EXAMPLES, key=lambda c: c.__name__), ids=lambda c: c.__name__)
def test_each_exception_pickles_with_what_it_failed_on(cls):
    error = EXAMPLES[cls]
    assert isinstance(error, errors.PipelineError)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls
    assert (copy.subject, copy.reason, str(copy)) == (error.subject, error.reason, str(error))
    assert str(copy) == f"{error.subject}: {error.reason}"
    assert copy.suggested == error.suggested
    assert vars(copy) == vars(error)


def test_a_missing_pair_keeps_its_install_hint_through_pickling():
    error = pickle.loads(pickle.dumps(EXAMPLES[errors.MissingPairError]))
    assert error.suggested == (("en", "uk"),) and error.installed == (("de", "en"),)
    assert str(error) == "de->uk: no model de->uk"  # short: a run prints it per article
    assert "translate-pipeline models install en uk" in errors.with_advice(error)


def test_with_subject_renames_and_still_pickles():
    error = errors.DetectionError("/base/a.txt", "too short").with_subject("a.txt")
    assert type(error) is errors.DetectionError and str(error) == "a.txt: too short"
    assert str(pickle.loads(pickle.dumps(error))) == "a.txt: too short"


def test_no_exception_class_is_defined_outside_the_error_module():
    import ast
    from pathlib import Path

    package = Path(errors.__file__).parent
    outside = []
    for path in package.rglob("*.py"):
        if path.name == "errors.py" and path.parent == package:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    getattr(base, "id", getattr(base, "attr", "")).endswith(("Error", "Exception"))
                    for base in node.bases):
                outside.append(f"{path.relative_to(package)}: {node.name}")
    assert outside == []
