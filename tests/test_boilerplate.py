"""Lines that are not content never reach a default summary, in any language.

Each article below is written the way such text reaches us from a CMS export or a web page:
datelines, bylines, photo credits, source lines, "read more" links and list items that are only
a time or a figure stand as sentences of their own, often at the top, where a lead-based
summary would pick them.
"""

from __future__ import annotations

import pytest
from support.cli import invoke

from translate_pipeline.nlp.boilerplate import non_content
from translate_pipeline.inputs.documents import parse_text
from translate_pipeline.nlp.sentences import split_sentences
from translate_pipeline.nlp.summarize import select_sentences

NOT_CONTENT = [
    ("Peñalba, 13 de mayo.", "dateline"),
    ("BERLIN, 5. Mai 2024", "dateline"),
    ("Київ, 12 травня.", "dateline"),
    ("Paris, le 3 juin 2023.", "dateline"),
    ("By Jane Smith", "byline"),
    ("Von Max Muster und Erika Beispiel, Berlin", "byline"),
    ("Par Jean Dupont (AFP)", "byline"),
    ("Reporting by John Smith; Editing by Jane Doe", "byline"),
    ("Foto: dpa", "credit or source"),
    ("Photo: Getty Images", "credit or source"),
    ("Фото: РИА Новости", "credit or source"),
    ("Fuente: Ministerio de Sanidad", "credit or source"),
    ("Source: Reuters", "credit or source"),
    ("Quelle: Statistisches Bundesamt", "credit or source"),
    ("Джерело: Укрінформ", "credit or source"),
    ("Źródło: PAP", "credit or source"),
    ("Read more: Why the rail strike matters", "link to another article"),
    ("Lesen Sie auch: Die Bahn streikt wieder", "link to another article"),
    ("Читайте також: Уряд ухвалив бюджет", "link to another article"),
    ("Lire aussi : la grève des cheminots", "link to another article"),
    ("Si no puede ver el vídeo, pinche aquí.", "navigation"),
    ("(dpa/AFP)", "agency tag"),
    ("Updated 12:30 GMT", "time stamp"),
    ("Stand: 12.05.2024, 10:32 Uhr", "time stamp"),
    ("- De lunes a viernes: de 8:00 a 24:00.", "dateline"),
    ("8:00 – 24:00", "figure only"),
    ("12,5 %", "figure only"),
    ("Eintritt: 12 Euro.", "figure only"),
]

CONTENT = [
    "By 2030, the city will have three million inhabitants.",
    "Por Navidad, los precios suben en toda España.",
    "Am Montag kam es in Berlin zu Protesten gegen die Reform.",
    "Obama won.",
    "Source of the trouble was a faulty valve, engineers said.",
    "Die Zahl der Toten stieg bis zum Abend auf 12.",
    "今天北京下了一整天的雨。",
    "Von Montag an gilt in der Innenstadt Tempo 30.",
    "Фото, опубліковані в мережі, показують зруйнований міст.",
]


@pytest.mark.parametrize(("sentence", "kind"), NOT_CONTENT)
def test_non_content_lines_are_named(sentence, kind):
    assert non_content(sentence) == kind


@pytest.mark.parametrize("sentence", CONTENT)
def test_real_sentences_are_content(sentence):
    assert non_content(sentence) is None


def test_a_short_paragraph_without_final_punctuation_is_a_heading_only_alone():
    assert non_content("Schredder statt Ofen", alone=True) == "heading"
    assert non_content("Schredder statt Ofen") is None
    assert non_content("Die Firma recycelt Akkus.", alone=True) is None


ARTICLES = {
    "es": """Sequía en Aragón

Peñalba, 13 de mayo.

Por Ana García (EFE)

La sequía obliga a los agricultores de Peñalba a abandonar la mitad de sus cultivos de cereal este año.

Fuente: Confederación Hidrográfica del Ebro

Los embalses de la cuenca están al 31 por ciento de su capacidad, el nivel más bajo en dos décadas. La consejería de Agricultura estudia ayudas directas para las explotaciones afectadas. Los regantes piden que se adelanten las obras del canal.

Leer más: Cómo afecta la sequía al precio del pan""",
    "de": """Tempo 30 für alle Städte

BERLIN, 5. Mai 2024

Von Max Muster, Berlin

Die Bundesregierung will das Tempolimit in Städten neu regeln und den Kommunen mehr Spielraum geben.

Foto: dpa

Bislang dürfen Städte Tempo 30 nur an Schulen, Kitas und Unfallschwerpunkten anordnen. Mehr als tausend Kommunen fordern seit Jahren, selbst entscheiden zu dürfen. Der Verkehrsminister kündigte einen Entwurf bis zum Sommer an.

Lesen Sie auch: Was Tempo 30 wirklich bringt""",
    "uk": """Уряд відновить мости

Київ, 12 травня.

Фото: Укрінформ

Уряд ухвалив програму відновлення мостів, зруйнованих під час повені на заході країни.

Джерело: Міністерство інфраструктури

На ремонт виділять понад два мільярди гривень до кінця року. Першими відновлять переправи у Львівській та Івано-Франківській областях. Роботи мають завершитися до початку зими.

Читайте також: Як повінь змінила карпатські села""",
    "en": """Rail strike next week

LONDON, May 5 2024

By Jane Smith

Rail workers will strike for three days next week after talks over pay collapsed on Friday.

Photo: Getty Images

The union said the offer of a 3% rise was far below inflation. Operators warned that most lines would run no trains at all. Commuters were advised to work from home where they could.

Read more: Why the rail strike matters""",
    "fr": """Déraillement près de Lyon

Paris, le 3 juin 2023.

Par Jean Dupont (AFP)

Un train de marchandises a déraillé dans la nuit près de Lyon, sans faire de victimes.

Crédit photo : SNCF

La circulation est interrompue sur la ligne entre Lyon et Grenoble jusqu'à nouvel ordre. Les enquêteurs examinent l'état des rails et des wagons. La SNCF a mis en place des bus de substitution.

Lire aussi : la grève des cheminots""",
}


@pytest.mark.parametrize("lang", sorted(ARTICLES))
@pytest.mark.parametrize("count", [1, 3, 5])
def test_default_summary_is_content_only(lang, count):
    article = parse_text(ARTICLES[lang], source=f"{lang}.txt", id=lang)
    paragraphs = [split_sentences(p, lang) for p in article.paragraphs]
    flat = [s for p in paragraphs for s in p]
    picked = select_sentences(paragraphs, lang, count, title=article.title)
    chosen = [flat[i] for i in picked]
    body = split_sentences(article.paragraphs[2], lang) + split_sentences(
        article.paragraphs[4], lang)
    assert len(body) == 4  # each article has four content sentences
    assert len(picked) == min(count, 4)
    assert set(chosen) <= set(body)
    assert all(non_content(s) is None for s in chosen), chosen
    lede = split_sentences(article.paragraphs[2], lang)[0]
    assert article.paragraphs[2] == lede  # the first paragraph after the dateline and byline
    if count >= 3:
        assert lede in chosen


def test_short_lines_without_punctuation_are_headings_unless_they_are_all_there_is():
    with_text = [["Schredder statt Ofen"], ["Die Firma recycelt Akkus.", "Das spart Energie."]]
    assert select_sentences(with_text, "de", 3) == (1, 2)
    lines_only = [["Neue Buslinie ab Montag"], ["Fahrplan im Rathaus"], ["Foto: dpa"]]
    assert select_sentences(lines_only, "de", 3) == (0, 1)  # the text itself, never the credit


def test_an_article_of_boilerplate_only_gets_no_summary_sentence():
    paragraphs = [["Peñalba, 13 de mayo."], ["Foto: EFE"], ["Por Ana García"]]
    assert select_sentences(paragraphs, "es", 3) == ()
    assert select_sentences(paragraphs, "es", 3, "lead") == (0, 1, 2)  # lead stays the baseline


def test_cli_summary_skips_the_dateline_and_byline(tmp_path):
    path = tmp_path / "sequia.txt"
    path.write_text(ARTICLES["es"], encoding="utf-8")
    result = invoke("summarize", path, "--sentences", "2")
    assert result.exit_code == 0, result.output
    assert "Peñalba, 13 de mayo." not in result.output
    assert "Ana García" not in result.output
    assert "La sequía obliga" in result.output
