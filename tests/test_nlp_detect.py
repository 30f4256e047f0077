import pytest

from translate_pipeline.errors import DetectionError
from translate_pipeline.nlp.detect import detect_language, given_language

CASES = {
    "en": "The city council approved the new budget on Tuesday after a long debate about schools.",
    "de": "Der Stadtrat hat am Dienstag nach langer Debatte den neuen Haushalt für Schulen beschlossen.",
    "uk": "Міська рада у вівторок після тривалих дебатів ухвалила новий бюджет для шкіл.",
    "fr": "Le conseil municipal a approuvé mardi le nouveau budget après un long débat sur les écoles.",
    "es": "El ayuntamiento aprobó el martes el nuevo presupuesto tras un largo debate sobre las escuelas.",
    "pl": "Rada miasta zatwierdziła we wtorek nowy budżet po długiej debacie o szkołach.",
    "ru": "Городской совет во вторник после долгих дебатов утвердил новый бюджет для школ.",
}


@pytest.mark.parametrize("code, text", sorted(CASES.items()))
def test_detects_language_with_confidence(code, text):
    found = detect_language(text, "case")
    assert found.code == code
    assert 0.8 < found.confidence <= 1.0
    assert found.method == "langdetect"


def test_detection_is_reproducible():
    text = "Ein kurzer Satz, der fast Englisch sein könnte: online news update."
    results = {detect_language(text, "x") for _ in range(5)}
    assert len(results) == 1


@pytest.mark.parametrize("text", ["", "   ", "12345 678 !!!", "ok no"])
def test_too_short_or_undetectable_names_the_input_and_advises(text):
    with pytest.raises(DetectionError) as info:
        detect_language(text, "input.txt")
    assert "input.txt" in str(info.value)
    assert "--from" not in str(info.value)  # the library names no flag; commands add it
    assert info.value.advice == "give the language with --from LANG"


def test_given_language_has_full_confidence():
    assert given_language(" DE ").code == "de"
    assert given_language("de").confidence == 1.0
    assert given_language("de").method == "given"
