"""Sentences that are not content: datelines, bylines, credits, source lines, links, bare figures.

News text as it reaches us (from a web page, a feed, a CMS export) carries lines that are not
part of the story: a dateline standing as its own sentence (``Peñalba, 13 de mayo.``), a byline
(``By Jane Smith``, ``Von Max Muster, Berlin``), a photo credit (``Foto: dpa``), a source line
(``Quelle: Reuters``), a link to another article (``Read more: ...``, ``Lesen Sie auch ...``), a
time stamp (``Updated 12:30 GMT``), an agency tag alone (``(dpa/AFP)``) or a list item that is
only a time or a figure (``- De lunes a viernes: de 8:00 a 24:00.``). A summary must never pick
one. :func:`non_content` names the kind, or returns ``None`` for a sentence that may be content.

The rules are written for en, de, fr, es, it, pt, pl, ru and uk and all of them apply to every
text whatever its detected language (articles quote and embed other languages, and a credit line
is a credit line in any of them). They are deliberately narrow: each needs the sentence to be
short and to consist of the marker and little else, so a real sentence that starts with "By
2030" or "Source of the trouble was" is never dropped.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["non_content"]

_FLAGS = re.IGNORECASE | re.UNICODE

_MONTHS = """
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
januar jänner februar märz april mai juni juli august september oktober november dezember
janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre décembre
enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre
gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre
janeiro fevereiro março marco abril maio junho julho agosto setembro outubro novembro dezembro
stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia
styczeń luty marzec kwiecień maj czerwiec lipiec sierpień wrzesień październik listopad grudzień
января февраля марта апреля мая июня июля августа сентября октября ноября декабря
январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь
січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня
січень лютий березень квітень травень червень липень серпень вересень жовтень листопад грудень
monday tuesday wednesday thursday friday saturday sunday
montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag
lundi mardi mercredi jeudi vendredi samedi dimanche
lunes martes miércoles jueves viernes sábado domingo
lunedì martedì mercoledì giovedì venerdì sabato domenica
segunda terça quarta quinta sexta sábado domingo feira
poniedziałek wtorek środa czwartek piątek sobota niedziela
понедельник вторник среда четверг пятница суббота воскресенье
понеділок вівторок середа четвер пʼятниця п'ятниця субота неділя
"""
DATE_WORDS = frozenset(_MONTHS.split())

# Little words that may stand in a dateline or a bare figure ("13 de mayo", "am 5. Mai",
# "de 8:00 a 24:00", "von 9 bis 17 Uhr") and units of figures.
_FILLERS = frozenset("""
a à al am an at au bis de del den der des di do du e el en et from i im in je la le les lo
na o of on os para per por pro s the to um und until v von vom w we y z zu à às до з із на о об
от по с со у в і й та и до
uhr h hrs min gmt utc cet cest mez mesz am pm a.m p.m heures horas ore godz godzina час часов
годин год г р r rok roku года року euro euros eur usd dollar dollars pound pounds gbp chf
franken złotych zł pln rubel rubles руб рублей рублів грн гривень km kg m cm mm mb gb
percent prozent pour cent por ciento per cento procent процентов відсотків тыс тис млн млрд
""".split())

_AGENCIES = frozenset("""
dpa afp ap reuters efe ansa pap kna epd sid apa sda ats ria tass тасс риа интерфакс укрінформ
уніан унн rbc рбк bbc cnn ddp dapd lusa europa press agencias agencies
""".split())

_LABEL = (
    r"(?:photo|photos|picture|pictures|image|images|video|graphic|graphics|illustration|"
    r"credit|credits|caption|copyright|source|sources|"
    r"foto|fotos|bild|bilder|grafik|quelle|quellen|"
    r"crédit|crédits|légende|"
    r"imagen|imágenes|vídeo|fuente|fuentes|crédito|créditos|"
    r"immagine|immagini|fonte|fonti|"
    r"fotografia|imagem|"
    r"fot|zdjęcie|zdjęcia|źródło|źródła|"
    r"фото|фотография|видео|источник|источники|"
    r"світлина|відео|джерело|джерела)"
)
# "Foto: dpa", "Source: Reuters", "Bild: Getty Images", "(Photo: AP)", "Фото: РИА Новости".
_CREDIT = re.compile(rf"^\W*{_LABEL}\s*[:|/]", _FLAGS)
_CREDIT_LINE = re.compile(
    r"^\W*(?:image copyright|image caption|media caption|getty images|copyright|©|\(c\))", _FLAGS)
_READ_MORE = re.compile(
    r"^\W*(?:read more|read also|see also|more on this|related|"
    r"lesen sie (?:auch|mehr|hier)|mehr zum thema|mehr dazu|auch interessant|"
    r"à lire aussi|lire aussi|lire la suite|voir aussi|"
    r"leer más|lea también|lee también|ver también|"
    r"leggi anche|leggi tutto|"
    r"leia (?:também|mais)|veja também|"
    r"czytaj (?:też|także|więcej)|zobacz (?:też|także)|"
    r"читайте (?:также|також|ещё|еще)|смотрите также|дивіться також|читати далі)\b", _FLAGS)
_CLICK = re.compile(
    r"\b(?:click here|klicken sie hier|hier klicken|cliquez ici|pinche aquí|haga clic aquí|"
    r"clic aquí|clicca qui|clique aqui|kliknij tutaj|нажмите здесь|натисніть тут)\b", _FLAGS)
_STAMP = re.compile(
    r"^\W*(?:updated|published|last updated|posted|aktualisiert|veröffentlicht|stand|"
    r"mis à jour|publié|actualizado|publicado|aggiornato|pubblicato|atualizado|"
    r"zaktualizowano|opublikowano|обновлено|опубликовано|оновлено|опубліковано)\b", _FLAGS)
_SHARE = re.compile(
    r"^\W*(?:share this|share on|follow us|sign up|subscribe|teilen|folgen sie uns|"
    r"jetzt abonnieren|partager|suivez-nous|abonnez-vous|compartir|síguenos|suscríbete|"
    r"condividi|seguici|compartilhe|siga-nos|udostępnij|obserwuj nas|поделиться|"
    r"подпишитесь|поділитися|підпишіться)\b", _FLAGS)
_BY = r"(?i:by|von|vom|par|por|di|de|da|przez|автор|авторка|автори)"
_NAME = r"[A-ZÀ-ÞĀ-ſА-ЯЄІЇҐ][\w'’.-]*"
_JOIN = r"(?:and|und|et|y|e|i|и|і|та|&|,)"
_TAIL = rf"(?:{_NAME}|(?i:dpa|afp|ap|efe|ansa|pap|kna|epd))"  # a place or an agency
# "By Jane Smith", "Von Max Muster und Erika Beispiel, Berlin", "Por Ana García (EFE)".
_BYLINE = re.compile(
    rf"^\W*(?:(?i:(?:additional\s+)?(?:reporting|writing|editing|text|texte|texto|tekst|текст))"
    rf"\s*(?i:by|von|par|por|:)?\s*|{_BY}\s+){_NAME}(?:\s+(?:{_JOIN}\s+)?{_NAME}){{0,5}}"
    rf"(?:\s*[,;/(|–—-]\s*{_TAIL}(?:\s+{_TAIL}){{0,3}}\)?)*\W*$", re.UNICODE)
_ROLE = re.compile(
    r"^\W*(?:reporting|additional reporting|editing|writing|compiled|edited|reported)\s+by\b",
    _FLAGS)
_LIST_MARK = re.compile(r"^\s*(?:[-*•–—·▪►]|\d{1,2}[.)])\s+")
# A word; each character of a script written without spaces between words (Chinese, Japanese,
# Thai, Lao, Khmer, Myanmar) counts as one.
_UNSPACED = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff"
_WORD = re.compile(
    rf"[{_UNSPACED}]|[^\W\d_{_UNSPACED}](?:[^\W\d_{_UNSPACED}]|['’.-](?=[^\W\d_]))*",
    re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…。！？;:]['\"’”»›)\]]*\s*$")
_DIGIT = re.compile(r"\d")
_NUMERIC_DATE = re.compile(r"\b\d{1,2}[./-]\d{1,2}(?:[./-]\d{2,4})?\b|\b(?:1[89]|20)\d\d\b")


_LONGEST = 400  # characters: longer than the 30 words of the longest rule's limit


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _is_filler(word: str) -> bool:
    lowered = word.lower().strip(".'’")
    return lowered in _FILLERS or lowered in DATE_WORDS or lowered in _AGENCIES


def _figure_only(text: str) -> bool:
    """Nothing but numbers, times, units and little words ("8:00 - 24:00", "12,5 %")."""
    return bool(_DIGIT.search(text)) and all(_is_filler(w) for w in _words(text))


def _dateline(text: str, words: list[str]) -> bool:
    """A place and a date and nothing else: "Peñalba, 13 de mayo.", "BERLIN, 5. Mai 2024"."""
    if len(words) > 8:
        return False
    if not (any(w.lower() in DATE_WORDS for w in words) or _NUMERIC_DATE.search(text)):
        return False
    return all(_is_filler(w) or w[:1].isupper() for w in words)


def non_content(sentence: str, *, alone: bool = False) -> str | None:
    """The kind of non-content line `sentence` is (``"dateline"``, ``"byline"``, ...), or None.

    ``alone``: the sentence is a paragraph by itself; then a short one without a sentence's
    final punctuation is a heading ("What happened", "Schredder statt Ofen").
    """
    if len(sentence) > _LONGEST:
        return None  # every rule wants a short line: skip the work on ordinary sentences
    text = unicodedata.normalize("NFC", sentence).strip()
    words = _words(text)
    if not words:
        return "figure only" if _DIGIT.search(text) else "no words"
    if len(words) == 1:
        return "one word"
    if all(w.lower() in _AGENCIES for w in words):
        return "agency tag"
    short = len(words) <= 12
    if _READ_MORE.match(text) and len(words) <= 30:
        return "link to another article"
    if len(words) <= 25 and _CLICK.search(text):
        return "navigation"
    if short and (_CREDIT.match(text) or _CREDIT_LINE.match(text)):
        return "credit or source"
    if short and (_ROLE.match(text) or _BYLINE.match(text)):
        return "byline"
    if len(words) <= 10 and _STAMP.match(text) and _DIGIT.search(text):
        return "time stamp"
    if len(words) <= 8 and _SHARE.match(text):
        return "share or follow"
    if _dateline(text, words):
        return "dateline"
    body = _LIST_MARK.sub("", text, count=1)
    if _figure_only(body):
        return "figure only"
    if len(words) <= 8 and ":" in body and _figure_only(body.rsplit(":", 1)[1]):
        return "figure only"  # "Preis: 12 Euro.", "- De lunes a viernes: de 8:00 a 24:00."
    if alone and len(words) <= 10 and not _SENTENCE_END.search(text):
        return "heading"
    return None
