"""Language codes at the door: the fast path for plain ISO 639-1 codes agrees with langcodes."""

from __future__ import annotations

import langcodes
import pytest

from translate_pipeline.errors import LanguageCodeError
from translate_pipeline.nlp.languages import ISO_639_1, normalize_code


def test_every_plain_code_is_what_langcodes_makes_of_it() -> None:
    for code in sorted(ISO_639_1):
        language = langcodes.Language.get(langcodes.standardize_tag(code))
        assert language.is_valid() and language.language == code, code


def test_the_fast_path_keeps_the_old_answers() -> None:
    assert normalize_code("DE") == "de"
    assert normalize_code(" uk ") == "uk"
    assert normalize_code("en-GB") == "en"  # still through langcodes
    assert normalize_code("deu") == "de"
    assert normalize_code("iw") == "he"  # a withdrawn code is not in the list: langcodes maps it
    assert normalize_code("zh-TW") == "zt"
    with pytest.raises(LanguageCodeError):
        normalize_code("xx")
