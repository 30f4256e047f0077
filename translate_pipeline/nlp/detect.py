"""Stage 2: language detection with langdetect, seeded so results are reproducible."""

from __future__ import annotations

import re
import threading

from translate_pipeline.errors import DetectionError
from translate_pipeline.records import Detection

__all__ = ["detect_language", "given_language", "MIN_LETTERS"]

#: Fewer letters than this is too short to detect reliably.
MIN_LETTERS = 12

# langdetect's codes that Argos spells differently.
_CODE_MAP = {"zh-cn": "zh", "zh-tw": "zt"}
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_factory_lock = threading.Lock()
_factory = None


def _detector_factory():
    """Load langdetect's profiles once per process (a few ms from the compact copy that
    :mod:`translate_pipeline.nlp.langprofiles` keeps, about 0.35 s the first time)."""
    global _factory
    with _factory_lock:
        if _factory is None:
            from translate_pipeline.nlp.langprofiles import load_factory

            _factory = load_factory()
        return _factory


def detect_language(text: str, subject: str) -> Detection:
    """Detect the language of ``text``; ``subject`` names the input in errors.

    Raises :class:`DetectionError` (its ``advice`` suggests ``--from``) when the text is too
    short or has no detectable language.
    """
    from langdetect.lang_detect_exception import LangDetectException

    letters = len(_LETTER.findall(text))
    if letters < MIN_LETTERS:
        raise DetectionError(
            subject,
            f"text too short to detect its language ({letters} letters)",
        )
    detector = _detector_factory().create()
    detector.seed = 0  # reproducible: langdetect samples n-grams at random
    detector.append(text)
    try:
        candidates = detector.get_probabilities()
    except LangDetectException as exc:
        raise DetectionError(
            subject, f"cannot detect the language ({exc})"
        ) from exc
    if not candidates:
        raise DetectionError(subject, "cannot detect the language")
    best = candidates[0]
    return Detection(code=_CODE_MAP.get(best.lang, best.lang), confidence=float(best.prob))


def given_language(code: str) -> Detection:
    """The language the user (``--from``) or the input declared: confidence 1."""
    return Detection(code=code.strip().lower(), confidence=1.0, method="given")
