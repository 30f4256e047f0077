"""Abbreviation and sentence-starter lists for :mod:`translate_pipeline.nlp.sentences`.

Every entry is lower-case and written without its final period; internal periods stay
(``"e.g"``, ``"m.in"``, ``"т.зв"``). Spaced forms are matched with the space removed, so
``"z. B."`` is found as ``"z.b"`` and ``"т. п."`` as ``"т.п"``.

Classes (see ``sentences._period_is_boundary`` for how they are used):

* ``STRONG``: never ends a sentence (titles, "e.g.", "ul."): a period after it never splits.
* ``WEAK``: may end a sentence ("2024 r.", "Inc.", "Mrd."): split only when the next word is
  a typical sentence opener from ``STARTERS`` ("2024 r. Sejm" stays, "2024 r. To" splits).
  Count words ("тис.", "tys.") are weak, complete units ("proc.", "руб.") are not: a
  capital after "5 тис." is usually the counted noun, after "5 proc." a new sentence.
* ``NUMBER_PREFIX``: introduces a number ("No. 5", "art. 12"): no split before a digit.
* ``FINAL``: may end a sentence, so split before an upper-case word, but never before a
  lower-case one (where a plain word's period may split): closing a list ("etc.", "т. д.",
  whose single-letter last part would otherwise be read as an initial) or a unit ("руб.").
* ``DATE``: ends a date ("w 2035 r.", "в 2010 г.", "XIX w.", "300 a. C."): after a number it
  is weak while the sentence so far is a few words ("W 2024 r. Polska ..." opens a sentence
  with the date) and an ordinary word later ("... otwarto w 2024 r. Sejm ..." ends one).
* ``STARTERS``: function words that open sentences; capitalised mid-sentence they are rare.

A period after a word in none of these lists (a "plain" word) ends a sentence even before a
lower-case word ("whatever. i will"), so every abbreviation that is followed by lower-case
words mid-sentence belongs in one of them, units too ("5 yrs. old": ``FINAL``).
* ``EXCLAIMED``: names written with "!" ("Yahoo! Mail"): no boundary after them before a
  capitalised word that is not a starter.
"""

from __future__ import annotations

__all__ = [
    "ARTICLES", "CAPS_HEADING_LANGS", "COLON_QUOTE_LANGS", "DATE", "EXCLAIMED", "FINAL", "JOINED_ITEM_LANGS", "NAME_PARTICLES",
    "NUMBER_PREFIX", "ORDINAL_LANGS", "QUOTED_ELLIPSIS_LANGS", "SEMICOLON_LANGS", "STARTERS", "STRONG", "TITLE_DETERMINERS", "WEAK", "WEAK_SUFFIXES",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Languages whose numbered items stay one sentence with their number ("2. Kapitał zakładowy
#: ...", "867. Sistemazione ..."): no boundary after a number that opens a sentence. Elsewhere
#: the number is a sentence of its own, as Ukrainian legal texts are annotated ("1." "Прийняти
#: за основу ..."); that is also the rule for unknown languages.
JOINED_ITEM_LANGS: frozenset[str] = frozenset({"en", "de", "pl", "fr", "es", "pt", "it"})

# The rules below find a boundary where no terminal punctuation marks one. Each is on only
# in the languages where the development part of the UD evaluation showed it finding real
# boundaries (docs/sentences.md): a heuristic with no evidence in a language stays off there.

#: A capitalised function word after a semicolon: the semicolon ended a sentence ("... sein;
#: Der Kindergarten ...", "... pas ; Selon ..."). Development part: de 2, es 3 (and 1 false:
#: "Washington; Este club ..."), fr 1, it 3 boundaries found.
SEMICOLON_LANGS: frozenset[str] = frozenset({"de", "es", "fr", "it"})

#: Languages whose texts set quoted speech after a colon apart as a sentence of its own
#: ("... para decretar: «Foi um protesto.»"; UD-Portuguese-Bosque, news from Público and
#: Folha; 3 found). Elsewhere "disse: «..." is one sentence.
COLON_QUOTE_LANGS: frozenset[str] = frozenset({"pt"})

#: A heading in capitals before a capitalised word in lower case ("MODE ET VOIE(S)
#: D'ADMINISTRATION Tenir hors ..."; fr 1 found).
CAPS_HEADING_LANGS: frozenset[str] = frozenset({"fr"})

#: Languages where an ellipsis inside an open «» quotation is a pause, not a sentence's end,
#: even before a capital ("« De plus en plus de personnes font le choix du crédit... Bien
#: que ... »"; development part: fr 1 and pt 1 false boundary, no real one, lost).
#: Elsewhere a capital after "..." keeps ending the sentence.
QUOTED_ELLIPSIS_LANGS: frozenset[str] = frozenset({"fr", "pt"})

#: Articles, capitalised as they open a sentence. One standing after a plain word of a short
#: stretch without punctuation opens a new sentence: the stretch was a heading run into the
#: text ("Islamische Opposition fordert Dialog Der Osten zieht nach."; de 4, fr 5, pt 3
#: found). See ``sentences._heading_ends``. An elided article ("L'") is written with its
#: apostrophe. Not in English (its titles put "The" after any word: "in The Conversation"),
#: nor in Spanish or Italian (no evidence in the development part).
ARTICLES: dict[str, frozenset[str]] = {
    "de": _words("Der Die Das Den Dem Des Ein Eine Einen Einem Einer Eines"),
    "fr": _words("Le La Les Un Une Des L'"),
    "pt": _words("O A Os As Um Uma Uns Umas"),
}

#: Determiners (lower-case) before a noun that names a title: "o jornal O Globo", "no filme
#: Os Maias", "du quotidien Le Monde", "seu livro A Viagem". The capitalised article after
#: such a noun opens the title, not a sentence. Besides the articles, the contracted ones
#: ("no", "ao", "du") and possessives and demonstratives; a language not named here uses
#: its articles. None of these stood before a heading's end on the development part.
TITLE_DETERMINERS: dict[str, frozenset[str]] = {
    "fr": _words("le la les un une des du au aux ce cet cette ces son sa ses leur leurs mon ma mes notre nos"),
    "pt": _words(
        "o a os as um uma uns umas do da dos das no na nos nas ao à aos às pelo pela pelos pelas "
        "num numa dum duma este esta estes estas esse essa esses essas aquele aquela seu sua seus suas"
    ),
}

#: Articles that are also the particle of a surname: between two capitalised words they
#: belong to a name ("Marine Le Pen a déclaré ...", "Bruno Le Maire"), not to a sentence
#: that opens after a heading. Not in German, which capitalises every noun ("Neuer Komplex
#: startet im Herbst Der Konkurrent ...").
NAME_PARTICLES: dict[str, frozenset[str]] = {
    "fr": _words("Le La"),
}

#: Languages that write ordinal numbers with a period ("am 22. September").
ORDINAL_LANGS: frozenset[str] = frozenset({"de", "da", "no", "nb", "nn", "fi", "et", "is", "cs", "sk", "sl", "hr", "sr", "bs", "hu", "lv"})

STRONG: dict[str, frozenset[str]] = {
    "en": _words(
        "mr mrs ms messrs dr prof sen rep gov gen lt col sgt capt cmdr adm maj rev hon pres "
        "supt fr e.g i.e vs approx cf viz ph.d"
    ),
    "de": _words(
        "dr prof hr frau fr hl z.b d.h z.t u.u bzw ca vgl sog ggf evtl inkl zzgl bspw insb "
        "dipl ing st nr geb gegr s.o s.u o.g i.d.r u.e a.d ehem eigtl allg bes gem lt mind max "
        "zzt zit vorm nachm ggü"
    ),
    "pl": _words(
        "dr prof hab mgr inż lek ks św gen kpt m.in np tj tzn tzw ul al os ok ds pt red dyr "
        "przew pos sen im prez pn zob por ob wł ew jw nt dot wsp mjr płk ppłk gen.dyw st asp "
        "podkom nadkom kom insp nadinsp mł sierż szer kpr chor ppor pocz ws tow wsch zach płn płd ub"
    ),
    "ru": _words(
        "им ул пер просп наб пл св проф акад доц ген см напр т.е т.к т.н т.ч т.зв и.о "
        "гр тов зам ред ср пос дер г-н г-жа англ нем франц исп итал лат греч ок "
        "польск укр"
    ),
    "uk": _words(
        "ім вул просп пров пл наб бульв майд св проф акад доц ген див напр т.зв т.ч т.б "
        "в.о гр ред зам пос англ нім франц фр ісп італ лат грец рос пол "
        "укр реєстр"
    ),
    "fr": _words(
        "m mm mme mlle mgr dr pr ste av bd boul fg cf env c.-à-d c.à.d p.ex vs gén cdt "
        "lt sgt me"
    ),
    "es": _words(
        "sr sra srta sres dr dra lic ing arq prof dña dn av avda pza gral pdte excmo excma "
        "ilmo sto sta ud uds vd vds aprox p.ej vs mons fdo dpto depto ee"
    ),
    "pt": _words(
        "sr sra srta srs dr dra drs prof profa eng arq av pç exmo exma ilmo sto sta v.exa "
        "p.ex aprox vs dto gal cel ten cap pe dep gov min pres séc sr.ª"
    ),
    "it": _words(
        "sig sigg sig.ra sig.na dott dott.ssa prof prof.ssa avv ing arch geom rag on sen mons "
        "p.es es cfr gen col ten cap magg s.e dr sec ss vd"
    ),
}

WEAK: dict[str, frozenset[str]] = {
    "en": _words(
        "jr sr inc ltd co corp bros st mt ft ave blvd rd al jan feb mar apr jun jul aug sep sept "
        "oct nov dec mon tue tues wed thu thur thurs fri sat sun a.m p.m est dept univ"
    ),
    "de": _words(
        "jh jhd str tel mio mrd tsd std min sek jan feb mär apr jun jul aug sep sept okt nov "
        "dez v.chr n.chr u.a o.ä"
    ),
    "pl": _words("r rr w ww tys mln mld godz min str tel pl woj pow gm"),
    "ru": _words("г гг в вв ст тыс млн млрд обл р пр мин сек"),
    "uk": _words("р рр ст тис млн млрд обл год хв"),
    "fr": _words("j.-c s éd min cie"),
    "es": _words("cía pte st"),
    "pt": _words("jan fev mar abr mai jun jul ago set out nov dez ltda cia"),
    "it": _words("gen feb mar apr mag giu lug ago set ott nov dic"),
}

NUMBER_PREFIX: dict[str, frozenset[str]] = {
    "en": _words("no nos fig vol ch art p pp tel pop ca c op"),
    "de": _words("abs art ziff bd jg tel s abb kap"),
    "pl": _words("art ust pkt poz tel lit s nr ur zm rys ryc tab"),
    "ru": _words("ст ч п д кв тел рис табл гл стр род"),
    "uk": _words("ст ч п буд кв тел рис табл гл стор"),
    "fr": _words("art p n no vol chap tél fig"),
    "es": _words("art núm pág tel cap vol fig n ca"),
    "pt": _words("art n nº n.º núm pág p pp cap vol fig tel ca"),
    "it": _words("art artt n nn pag pagg p pp cap vol fig tel att disp ca"),
}

FINAL: dict[str, frozenset[str]] = {
    "en": _words("etc yrs hrs mins secs lbs ozs sq"),
    "de": _words("usw usf etc"),
    "pl": _words("itd itp etc proc zł br"),
    "ru": _words("т.д т.п др руб коп долл"),
    "uk": _words("т.д т.п ін грн коп долл"),
    "fr": _words("h etc hab"),
    "es": _words("h ee.uu etc hab"),
    "pt": _words("etc"),
    "it": _words("ecc etc"),
}

DATE: dict[str, frozenset[str]] = {
    "pl": _words("r rr w ww p.n.e n.e"),
    "ru": _words("г гг в вв н.э"),
    "uk": _words("р рр ст н.е"),
    "de": _words("jh jhd v.chr n.chr"),
    "es": _words("a.c d.c j.c"),
    "pt": _words("a.c d.c"),
    "it": _words("a.c d.c"),
    "en": _words("b.c a.d b.c.e c.e"),
    "fr": _words("av.j.-c j.-c"),
}

EXCLAIMED: frozenset[str] = _words("yahoo jeopardy")

#: Endings that make a token weak: German street names ("Hauptstr. 5").
WEAK_SUFFIXES: dict[str, tuple[str, ...]] = {"de": ("str",)}

STARTERS: dict[str, frozenset[str]] = {
    "en": _words(
        "the a an he she it they we i you this that these those there here his her its their "
        "our my but and or so yet however in on at after before during since while when if as "
        "for with by from to also meanwhile nevertheless instead then now today yesterday "
        "tomorrow earlier later last next many most some all both one two no not what who why "
        "how where such other another each every according three four five six ten several"
    ),
    "de": _words(
        "der die das dem den des ein eine einer einem einen eines er sie es wir ihr ich man "
        "dies diese dieser dieses damit dann danach dabei dazu doch aber und oder auch so zudem "
        "außerdem allerdings jedoch trotzdem deshalb daher dort hier nun noch nach vor seit bei "
        "mit im in am an auf aus für um zum zur wie was wer wo warum wann als wenn ob laut nur "
        "sein seine ihre unser unsere heute gestern morgen bereits schon zuvor jetzt insgesamt "
        "rund mehr viele alle zwei drei vier fünf zehn mehrere kein keine nicht"
    ),
    "pl": _words(
        "to ten ta te ci on ona ono oni one my wy ja jego jej ich w we na z ze do od po przy "
        "za przez dla o u a i ale oraz lecz jednak także również teraz obecnie dziś wczoraj "
        "jutro tak nie gdy kiedy jeśli jak co kto dlaczego gdzie według wtedy potem następnie "
        "wcześniej później już jest był była było są były sam tam tu wiele kilka dwa dwie trzy "
        "pięć dziesięć"
    ),
    "ru": _words(
        "в во на с со к ко по о об от до из за для при после перед без у и а но или однако "
        "также тоже это этот эта эти тот та те он она оно они мы вы я его ее её их там тут "
        "здесь сейчас теперь сегодня вчера завтра затем потом тогда кроме как что кто где "
        "когда почему если не ни уже еще ещё все всё многие по-прежнему итак впрочем между два "
        "две три пять десять несколько"
    ),
    "uk": _words(
        "у в на з із зі до від по про при після перед без за для і й та а але або однак "
        "проте також теж це цей ця ці той та ті він вона воно вони ми ви я його її їх там тут "
        "зараз тепер сьогодні вчора завтра потім тоді далі крім як що хто де коли чому якщо "
        "не ні вже ще все всі багато наразі між два дві три п'ять десять кілька"
    ),
    "fr": _words(
        "le la les l un une des du de d il elle ils elles on nous vous je c ce cet cette ces "
        "qu que qui quand où pourquoi comment mais et ou donc or puis ensuite alors après "
        "avant depuis pendant dans en à au aux par pour sur selon avec sans son sa ses leur "
        "leurs aujourd hier demain déjà aussi cependant toutefois pourtant ainsi enfin ne pas "
        "plus tous toutes si deux trois quatre cinq dix cent mille plusieurs"
    ),
    "es": _words(
        "el la los las lo un una unos unas él ella ellos ellas nosotros yo este esta estos "
        "estas ese esa eso esto aquel su sus mi en a al de del por para con sin sobre desde "
        "durante tras según y o pero sin embargo también además luego después antes entonces "
        "ahora hoy ayer mañana ya allí aquí ahí cuando donde qué quién cómo por qué si no se "
        "le les es hay hubo había habrá fue son dos tres cuatro cinco diez cien mil varios"
    ),
    "pt": _words(
        "o a os as um uma uns umas ele ela eles elas nós eu você este esta estes estas esse "
        "essa isso isto aquele aquela seu sua seus suas em no na nos nas de do da dos das por "
        "pelo pela para com sem sobre desde durante após segundo e ou mas porém também além "
        "depois antes então agora hoje ontem amanhã já ali aqui quando onde que quem como "
        "porque se não há foi são é dois duas três quatro cinco dez cem mil vários"
    ),
    "it": _words(
        "il lo la i gli le l un uno una è e ed ma o però quindi poi anche in a da di del della "
        "nel nella con per su tra fra non si ci ne questo questa questi quello quella che chi "
        "come dove quando perché se lui lei loro noi voi io tutti tutto molti oggi ieri domani "
        "già ora intanto inoltre secondo dopo prima mentre così due tre quattro cinque dieci"
    ),
}
