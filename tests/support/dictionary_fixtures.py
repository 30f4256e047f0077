"""Fixtures for dictionary packages (:mod:`support.dictionary_model`), registered as a plugin in
tests/conftest.py.

- ``dictionary_factory(from_code, to_code, **kw) -> DictionaryPackage``: built once per session
  for each distinct argument set (keywords of ``build_dictionary_package``; ``shift`` 1 unless
  given). The result is the package file (``.path``) and its oracle (``.translate(text)``).
- ``install_dictionary(from_code, to_code, **kw) -> DictionaryPackage``: the same, installed
  into this test's packages directory.
"""

from __future__ import annotations

import threading

import pytest

from support.dictionary_model import DictionaryPackage, build_dictionary_package


@pytest.fixture(scope="session")
def dictionary_factory(tmp_path_factory):
    root = tmp_path_factory.mktemp("dictionary-built")
    cache: dict[tuple, DictionaryPackage] = {}
    lock = threading.Lock()

    def factory(from_code: str, to_code: str, **kw) -> DictionaryPackage:
        key = (from_code, to_code, tuple(sorted(kw.items())))
        with lock:
            if key not in cache:
                out = root / f"build-{len(cache)}"
                cache[key] = build_dictionary_package(out, from_code, to_code, **kw)
            return cache[key]

    return factory


@pytest.fixture
def install_dictionary(dictionary_factory):
    from translate_pipeline.translation.packages import install_file

    def install(from_code: str, to_code: str, **kw) -> DictionaryPackage:
        built = dictionary_factory(from_code, to_code, **kw)
        install_file(built.path)
        return built

    return install
