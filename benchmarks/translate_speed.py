"""Translation speed: argostranslate vs raw CTranslate2 vs the whole pipeline, cold and cached.

On one realistic-size Argos package (by default a randomly weighted one built with
:func:`translate_pipeline.testmodel.build_random_package`: 6+6 layers, d_model 512, ffn 2048,
8 heads, vocab 32k, int8, every sentence decoding exactly 32 tokens) and one deterministic
corpus of news articles, it measures in one run:

(a) ``argostranslate.translate.translate(article, from, to)`` once per article, its defaults
    (ARGOS_BATCH_SIZE=32 *tokens*, inter_threads=1, intra_threads=0, beam 4). Its default
    sentence splitter (MiniSBD) downloads an ONNX model on first use, and there is no network,
    so the splitter (only) is replaced by ours (``translate_pipeline.nlp.sentences.split_sentences``).
(b) raw CTranslate2: one ``Translator``, ``translate_batch`` over all sentences at once
    (32 examples a batch on CPU, 256 on a GPU, as the engine; beam 4, length_penalty 0.2,
    replace_unknowns), each threading layout
    (inter=cores/intra=1 and inter=1/intra=cores) in its own process; the best is b.
(c) the pipeline, cache off: ``translate-pipeline run CORPUS --to TO -o OUT --no-cache --quiet``
    end to end (a subprocess: interpreter start-up, imports, model load, detection, splitting,
    summaries, translation, writing), and the same command invoked in-process by a small runner
    that times the work without interpreter start-up and the engine's translate phase alone.
(d) the same run with the cache on, twice on an empty cache: the first run fills it, the second
    is the cached rerun.

Every measurement runs in its own process, so its peak RSS is its own (``os.wait4``), with
XDG_*, ARGOS_PACKAGES_DIR and TRANSLATE_PIPELINE_HOME pointing into the work folder (the package
is installed there once with ``translate-pipeline models install``). All of (a), (b), (c) and (d)
translate the same sentences: each article's title plus what our splitter finds in its
paragraphs (the corpus is checked for that, and every sentence is distinct so that the cache
cannot help (c)).

It prints a table (sentences, seconds, sentences/s, peak RSS) and the ratios against the goals
of the issue: c/a >= 15, c/b >= 0.9, d/c >= 50 (a cached rerun 50x faster than the first run),
RSS(c) <= 1.3 x RSS(b). The exit status is 0 whatever the goals say (it is a report); non-zero
only on errors.

Usage::

    python benchmarks/translate_speed.py                 # everything, ~2-3 minutes on 2 cores
    python benchmarks/translate_speed.py --skip-argos    # without (a), which takes ~80 s
    python benchmarks/translate_speed.py --quick         # smoke run: 3 articles of 8 sentences
    python benchmarks/translate_speed.py --package ~/translate-de_en-1_9.argosmodel

The random package (about 90 MB, ~20 s to build) is kept in ``benchmarks/work/package`` (ignored
by git) and reused by later runs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORK = ROOT / "benchmarks" / "work"
REALISTIC = {"layers": 6, "d_model": 512, "heads": 8, "ffn": 2048, "vocab_size": 32000,
             "quantization": "int8", "output_tokens": 32}
GOALS = {"c/a": 15.0, "c/b": 0.9, "d/c": 50.0, "rss": 1.3}

# ---------------------------------------------------------------------------------------------
# Corpus: deterministic news articles, every sentence distinct

_DE = {
    "city": ["Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Leipzig", "Dresden",
             "Stuttgart", "Hannover", "Bremen", "Nürnberg", "Dortmund", "Essen", "Düsseldorf",
             "Freiburg", "Kiel", "Rostock", "Mainz", "Potsdam", "Erfurt", "Magdeburg", "Augsburg",
             "Regensburg", "Münster"],
    "actor": ["Die Bundesregierung", "Der Stadtrat", "Die Landesregierung", "Das Finanzministerium",
              "Die Opposition", "Der Verkehrsverbund", "Die Gewerkschaft", "Der Bürgermeister",
              "Die Deutsche Bahn", "Der Energieversorger", "Die Universität", "Das Landgericht",
              "Der Bundestag", "Die Europäische Kommission", "Der Landkreis", "Die Stadtverwaltung"],
    "invest": ["den Ausbau der Radwege", "neue Schulen", "das Stromnetz", "den Hochwasserschutz",
               "bezahlbaren Wohnraum", "die Sanierung von Brücken", "schnelles Internet",
               "den öffentlichen Nahverkehr", "die Krankenhäuser", "erneuerbare Energien",
               "die Digitalisierung der Verwaltung", "neue Kindergärten"],
    "good": ["Lebensmittel", "Heizöl", "Strom", "Mieten", "Bahntickets", "Gemüse", "Butter",
             "Neuwagen", "Kaffee", "Baumaterial", "Flugreisen", "Medikamente"],
    "month": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
              "Oktober", "November", "Dezember"],
    "weekday": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
    "protest": ["steigende Mieten", "die geplante Autobahn", "den Abriss des alten Bahnhofs",
                "Kürzungen im Sozialbereich", "die Schließung der Geburtsstation",
                "höhere Kita-Gebühren", "den Bau eines Flüssiggasterminals",
                "die Abholzung des Stadtwalds"],
    "group": ["Lehrkräfte", "Pflegekräfte", "Busfahrer", "Landwirte", "Studierende", "Rentner",
              "Ärzte", "Einzelhändler", "Handwerksbetriebe", "Pendler", "Familien", "Mieter"],
    "issue": ["den Personalmangel", "die hohen Energiekosten", "die Bürokratie",
              "die schleppende Digitalisierung", "die Wohnungsnot", "den Fachkräftemangel",
              "die Inflation", "die Verkehrswende", "den Klimaschutz", "die Sicherheit"],
    "company": ["ein Autozulieferer", "ein Chemiekonzern", "ein Onlinehändler", "eine Großbank",
                "ein Stahlwerk", "ein Softwarehaus", "eine Brauerei", "ein Windkraftbauer"],
    "event": ["ein Großbrand", "ein Sturm", "ein Stromausfall", "ein Wasserrohrbruch",
              "ein Verkehrsunfall", "ein Hochwasser", "eine Bombenentschärfung"],
    "team": ["Der Hamburger SV", "Borussia Dortmund", "Der 1. FC Köln", "Werder Bremen",
             "Der VfB Stuttgart", "Hertha BSC", "Eintracht Frankfurt", "Der SC Freiburg"],
}

_DE_TEMPLATES = [
    "{actor} will bis {year} rund {n} Millionen Euro in {invest} investieren.",
    "Nach Angaben der Polizei wurden bei dem Unfall in {city} {small} Menschen leicht verletzt.",
    ("Die Preise für {good} sind im {month} um {pct} Prozent gestiegen, teilte das Statistische "
     "Bundesamt mit."),
    "In {city} demonstrierten am {weekday} mehrere tausend Menschen gegen {protest}.",
    "Ein Sprecher sagte, man rechne im {month} mit einer Entscheidung über {invest}.",
    "Vor allem {group} klagen seit Monaten über {issue}.",
    ("Wie {company} aus {city} am {weekday} mitteilte, sollen bis {year} etwa {small}00 Stellen "
     "wegfallen."),
    "Am {weekday}abend hielt {event} die Einsatzkräfte in {city} stundenlang in Atem.",
    "{actor} kündigte an, die Pläne für {invest} noch einmal zu überprüfen.",
    "Kritiker werfen {actor_acc} vor, {issue} viel zu lange ignoriert zu haben.",
    ("Laut einer aktuellen Umfrage halten {pct} Prozent der Befragten {issue} für das größte "
     "Problem."),
    "{team} gewann am {weekday} vor {n}00 Zuschauern mit {goals}.",
    "Die Tarifverhandlungen für {group} sollen im {month} fortgesetzt werden.",
    "Bereits im vergangenen {month} hatte {actor_lc} in {city} ähnliche Pläne vorgestellt.",
    "Ob die Maßnahmen ausreichen, um {issue} in den Griff zu bekommen, ist umstritten.",
    ("Der Deutsche Wetterdienst erwartet für {city} am {weekday} Temperaturen von bis zu {temp} "
     "Grad."),
    "Nach {event} in {city} blieben rund {small}00 Haushalte über Nacht ohne Strom.",
    ("Die Stadt {city} meldete für das erste Halbjahr {small} Prozent mehr Übernachtungen als im "
     "Vorjahr."),
    "Im Streit um {protest} hat sich {actor_lc} nun zu einem Kompromiss bereit erklärt.",
    "Experten rechnen damit, dass {good} auch im {month} deutlich teurer bleiben werden.",
]

_DE_TITLES = [
    "{city}: Streit um {invest} spitzt sich zu",
    "{group} protestieren gegen {issue}",
    "{event} in {city} sorgt für Chaos",
    "{good} werden im {month} erneut teurer",
    "{actor} legt Plan gegen {issue} vor",
    "Tausende demonstrieren in {city} gegen {protest}",
]

_EN = {
    "city": ["London", "Manchester", "Leeds", "Glasgow", "Bristol", "Liverpool", "Cardiff",
             "Belfast", "Boston", "Chicago", "Denver", "Seattle", "Toronto", "Dublin", "Sydney",
             "Auckland", "Houston", "Phoenix", "Atlanta", "Portland"],
    "actor": ["The government", "The city council", "The regional authority", "The finance ministry",
              "The opposition", "The transport authority", "The union", "The mayor",
              "The rail operator", "The energy supplier", "The university", "The high court",
              "Parliament", "The European Commission", "The county", "The health service"],
    "invest": ["new cycle lanes", "new schools", "the power grid", "flood defences",
               "affordable housing", "repairing bridges", "fast broadband", "public transport",
               "local hospitals", "renewable energy", "digital public services", "new nurseries"],
    "good": ["food", "heating oil", "electricity", "rents", "rail tickets", "vegetables", "butter",
             "new cars", "coffee", "building materials", "air fares", "medicines"],
    "month": ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"],
    "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "protest": ["rising rents", "the planned motorway", "the demolition of the old station",
                "cuts to social services", "the closure of the maternity ward",
                "higher childcare fees", "a new gas terminal", "the felling of the city forest"],
    "group": ["teachers", "nurses", "bus drivers", "farmers", "students", "pensioners", "doctors",
              "shop owners", "small builders", "commuters", "families", "tenants"],
    "issue": ["staff shortages", "high energy costs", "red tape", "slow digitalisation",
              "the housing crisis", "the skills gap", "inflation", "congestion",
              "climate change", "public safety"],
    "company": ["a car parts maker", "a chemicals group", "an online retailer", "a large bank",
                "a steel plant", "a software firm", "a brewery", "a wind turbine maker"],
    "event": ["a large fire", "a storm", "a power cut", "a burst water main", "a road accident",
              "a flood", "a bomb disposal operation"],
    "team": ["Leeds United", "Aston Villa", "Celtic", "Everton", "Brighton", "Newcastle",
             "Fulham", "Wolves"],
}

_EN_TEMPLATES = [
    "{actor} plans to invest about {n} million pounds in {invest} by {year}.",
    "Police said {small} people were slightly injured in the accident in {city}.",
    "Prices for {good} rose by {pct} percent in {month}, the statistics office said.",
    "Several thousand people marched in {city} on {weekday} against {protest}.",
    "A spokesperson said a decision on {invest} was expected in {month}.",
    "For months {group} have complained about {issue}.",
    "As {company} from {city} announced on {weekday}, about {small}00 jobs will go by {year}.",
    "On {weekday} evening {event} kept the emergency services in {city} busy for hours.",
    "{actor} said it would review its plans for {invest} once again.",
    "Critics accuse {actor_lc} of ignoring {issue} for far too long.",
    "According to a new poll, {pct} percent of those asked see {issue} as the biggest problem.",
    "{team} won on {weekday} in front of {n}00 fans with {goals}.",
    "Talks between {group} and employers are due to resume in {month}.",
    "Last {month} {actor_lc} had presented similar plans in {city}.",
    "Whether the measures will be enough to tackle {issue} remains disputed.",
    "Forecasters expect temperatures of up to {temp} degrees in {city} on {weekday}.",
    "After {event} in {city} about {small}00 homes were left without power overnight.",
    "The city of {city} reported {small} percent more overnight stays in the first half year.",
    "In the dispute over {protest}, {actor_lc} has now signalled it is ready to compromise.",
    "Experts expect {good} to stay much more expensive in {month} as well.",
]

_EN_TITLES = [
    "{city} row over {invest} escalates",
    "{group} protest against {issue}",
    "{event} causes chaos in {city}",
    "{good} set to get dearer again in {month}",
    "{actor} unveils plan to tackle {issue}",
    "Thousands march in {city} against {protest}",
]


def _fill(template: str, words: dict[str, list[str]], rng: random.Random, lang: str) -> str:
    actor = rng.choice(words["actor"])
    if lang == "de":
        article, _, noun = actor.partition(" ")
        accusative = {"Der": "dem", "Die": "der", "Das": "dem"}.get(article)
        actor_acc = f"{accusative} {noun}" if accusative else actor
        actor_lc = actor[0].lower() + actor[1:] if article in ("Der", "Die", "Das") else actor
    else:
        actor_acc = actor
        actor_lc = actor[0].lower() + actor[1:] if actor.startswith("The ") else actor
    pct = rng.randint(2, 79)
    decimal = rng.randint(0, 9)
    pct_text = (f"{pct},{decimal}" if lang == "de" else f"{pct}.{decimal}") if decimal else str(pct)
    home, away = rng.randint(1, 5), rng.randint(0, 4)
    goals = f"{home}:{away}" if lang == "de" else f"{home}-{away}"
    return template.format(
        actor=actor, actor_acc=actor_acc, actor_lc=actor_lc,
        city=rng.choice(words["city"]), invest=rng.choice(words["invest"]),
        good=rng.choice(words["good"]), month=rng.choice(words["month"]),
        weekday=rng.choice(words["weekday"]), protest=rng.choice(words["protest"]),
        group=rng.choice(words["group"]), issue=rng.choice(words["issue"]),
        company=rng.choice(words["company"]), event=rng.choice(words["event"]),
        team=rng.choice(words["team"]), year=rng.randint(2026, 2035),
        n=rng.randint(12, 950), small=rng.randint(2, 9), pct=pct_text,
        temp=rng.randint(24, 38), goals=goals,
    )


def make_corpus(lang: str, articles: int, per_article: int, seed: int = 0):
    """[(title, [paragraph, ...])]: ``per_article`` distinct sentences in paragraphs of 2-4."""
    if lang == "de":
        words, templates, titles = _DE, _DE_TEMPLATES, _DE_TITLES
    elif lang == "en":
        words, templates, titles = _EN, _EN_TEMPLATES, _EN_TITLES
    else:
        raise SystemExit(f"error: no corpus generator for source language {lang!r} (only de, en)")
    rng = random.Random(seed)
    seen: set[str] = set()

    def distinct(pool: list[str], first: str = "") -> str:
        for _ in range(10_000):
            text = _fill(first or rng.choice(pool), words, rng, lang)
            first = ""
            text = text[0].upper() + text[1:]
            if text not in seen:
                seen.add(text)
                return text
        raise RuntimeError("corpus generator ran out of distinct sentences")

    corpus = []
    for index in range(articles):
        title = distinct(titles, titles[index % len(titles)])
        sentences = [distinct(templates) for _ in range(per_article)]
        paragraphs, position = [], 0
        while position < len(sentences):
            size = rng.randint(2, 4)
            paragraphs.append(" ".join(sentences[position:position + size]))
            position += size
        corpus.append((title, paragraphs))
    return corpus


def write_corpus(corpus, folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for index, (title, paragraphs) in enumerate(corpus, 1):
        text = title + "\n\n" + "\n\n".join(paragraphs) + "\n"
        (folder / f"article-{index:03d}.txt").write_text(text, encoding="utf-8")


def corpus_sentences(folder: Path, lang: str) -> tuple[list[str], list[str]]:
    """(the sentences the pipeline translates, in order; one argostranslate input per article)."""
    from translate_pipeline.inputs.discovery import discover
    from translate_pipeline.inputs.files import read_file
    from translate_pipeline.nlp.sentences import split_sentences

    sentences, texts = [], []
    for item in discover([str(folder)]):
        article = read_file(item)
        sentences.append(article.title)
        for paragraph in article.paragraphs:
            sentences.extend(split_sentences(paragraph, lang))
        # What a user would hand argostranslate: the article, a paragraph a line.
        texts.append("\n".join([article.title, *article.paragraphs]))
    return sentences, texts


# ---------------------------------------------------------------------------------------------
# Children: each measurement in its own process; they write a JSON result file


def _child_argos(spec: dict) -> dict:
    start = time.perf_counter()
    import argostranslate.sbd
    import argostranslate.translate as argos_translate

    from translate_pipeline.nlp.sentences import split_sentences

    imported = time.perf_counter()
    seen = {"sentences": 0}

    def ours(self, text: str) -> list[str]:
        found = split_sentences(text, self.pkg.from_code)
        seen["sentences"] += len(found)
        return found

    # MiniSBD (argostranslate's default splitter) downloads an ONNX model on first use: no network
    # here. Only the splitter is replaced; everything else stays at argostranslate's defaults.
    argostranslate.sbd.MiniSBDSentencizer.split_sentences = ours
    argostranslate.sbd.StanzaSentencizer.split_sentences = ours
    source, target = spec["from"], spec["to"]
    # Load: package list, tokenizer and the CTranslate2 model (created lazily on first use).
    argos_translate.translate("Hallo.", source, target)
    loaded = time.perf_counter()
    seen["sentences"] = 0
    outputs = []
    cpu = time.process_time()
    for text in spec["texts"]:
        outputs.append(argos_translate.translate(text, source, target))
    done = time.perf_counter()
    cpu = time.process_time() - cpu
    from argostranslate import settings

    return {
        "import_s": imported - start, "load_s": loaded - imported, "seconds": done - loaded,
        "cpu_s": cpu, "sentences": seen["sentences"], "outputs": len(outputs),
        "settings": {"batch_size": settings.batch_size, "inter_threads": settings.inter_threads,
                     "intra_threads": settings.intra_threads, "beam_size": settings.beam_size,
                     "device": settings.device, "compute_type": settings.compute_type,
                     "chunk_type": settings.chunk_type.name},
    }


def _child_ctranslate2(spec: dict) -> dict:
    start = time.perf_counter()
    import ctranslate2
    import sentencepiece

    imported = time.perf_counter()
    package = Path(spec["package_dir"])
    processor = sentencepiece.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
    translator = ctranslate2.Translator(
        str(package / "model"), device=spec["device"], compute_type=spec["compute_type"],
        inter_threads=spec["inter_threads"], intra_threads=spec["intra_threads"],
    )
    loaded = time.perf_counter()
    tokenized = processor.encode(spec["sentences"], out_type=str)
    tokenized_at = time.perf_counter()
    prefix = [[spec["target_prefix"]]] * len(tokenized) if spec["target_prefix"] else None
    cpu = time.process_time()
    results = translator.translate_batch(
        tokenized, target_prefix=prefix, max_batch_size=spec["batch_size"], batch_type="examples",
        beam_size=4,
        length_penalty=0.2, replace_unknowns=True,
    )
    done = time.perf_counter()
    cpu = time.process_time() - cpu
    lengths = [len(r.hypotheses[0]) for r in results]
    return {
        "import_s": imported - start, "load_s": loaded - imported,
        "tokenize_s": tokenized_at - loaded, "seconds": done - tokenized_at, "cpu_s": cpu,
        "sentences": len(results), "source_tokens": sum(map(len, tokenized)),
        "output_tokens_min": min(lengths, default=0), "output_tokens_max": max(lengths, default=0),
    }


def _child_pipeline(spec: dict) -> dict:
    """`translate-pipeline run ...` in-process, timed without interpreter start-up."""
    start = time.perf_counter()
    from translate_pipeline.translation import engine as engine_module
    from translate_pipeline.cli import cli

    imported = time.perf_counter()
    timing = {"load_s": 0.0, "runner_s": 0.0, "load_cpu": 0.0, "runner_cpu": 0.0,
              "sentences": 0, "batches": 0}
    original_load = engine_module._load_translator
    original_translate = engine_module._PackageRunner.translate

    def load(*args, **kwargs):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            return original_load(*args, **kwargs)
        finally:
            timing["load_s"] += time.perf_counter() - t0
            timing["load_cpu"] += time.process_time() - c0

    def translate(self, sentences):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            return original_translate(self, sentences)
        finally:
            timing["runner_s"] += time.perf_counter() - t0
            timing["runner_cpu"] += time.process_time() - c0
            timing["sentences"] += len(sentences)
            timing["batches"] += 1

    engine_module._load_translator = load
    engine_module._PackageRunner.translate = translate
    code = 0
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        cli.main(args=spec["argv"], prog_name="translate-pipeline", standalone_mode=False)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finished, cpu = time.perf_counter(), time.process_time() - c0
    return {
        "import_s": imported - start, "seconds": finished - t0, "cpu_s": cpu, "exit_code": code,
        "load_s": timing["load_s"], "translate_s": timing["runner_s"] - timing["load_s"],
        "translate_cpu_s": timing["runner_cpu"] - timing["load_cpu"],
        "model_sentences": timing["sentences"], "engine_calls": timing["batches"],
    }


CHILDREN = {"argos": _child_argos, "ctranslate2": _child_ctranslate2, "pipeline": _child_pipeline}


def child_main(mode: str, spec_path: str, result_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    result = CHILDREN[mode](spec)
    result["maxrss_self_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    Path(result_path).write_text(json.dumps(result), encoding="utf-8")
    return 0


# ---------------------------------------------------------------------------------------------
# The parent


class Runner:
    """Starts children with the isolated environment; records wall clock and peak RSS."""

    def __init__(self, work: Path, env: dict[str, str]):
        self.work = work
        self.env = env
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    def command(self, argv: list[str], name: str) -> dict:
        log = self.logs / f"{name}.log"
        with open(log, "wb") as out:
            t0 = time.perf_counter()
            process = subprocess.Popen(argv, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, cwd=self.work)
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - t0
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"{name} failed (exit {process.returncode}); {log}:\n{tail}")
        return {"wall_s": wall, "cpu_total_s": usage.ru_utime + usage.ru_stime,
                "rss_mb": usage.ru_maxrss / 1024, "log": str(log)}

    def child(self, mode: str, spec: dict, name: str) -> dict:
        spec_path = self.work / "specs" / f"{name}.json"
        result_path = self.work / "specs" / f"{name}.result.json"
        spec_path.parent.mkdir(parents=True, exist_ok=True)
        spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        result_path.unlink(missing_ok=True)
        argv = [sys.executable, str(Path(__file__).resolve()), "--child", mode, str(spec_path),
                str(result_path)]
        outer = self.command(argv, name)
        result = json.loads(result_path.read_text(encoding="utf-8"))
        result.update(outer)
        return result


def isolated_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ARGOS_", "TRANSLATE_PIPELINE_", "XDG_"))}
    home = work / "home"
    env.update({
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "ARGOS_PACKAGES_DIR": str(home / "argos-packages"),
        "TRANSLATE_PIPELINE_HOME": str(home / "translate-pipeline"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    for key in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        Path(env[key]).mkdir(parents=True, exist_ok=True)
    return env


def pipeline_command() -> list[str]:
    script = Path(sys.executable).parent / "translate-pipeline"
    if script.is_file():
        return [str(script)]
    found = shutil.which("translate-pipeline")
    return [found] if found else [sys.executable, "-m", "translate_pipeline"]


def package_metadata(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        name = next(n for n in zf.namelist() if n.endswith("/metadata.json") and n.count("/") == 1)
        return json.loads(zf.read(name).decode("utf-8"))


def ensure_package(args) -> tuple[Path, float | None]:
    """The package to use, and its build time when it was built by this run."""
    if args.package:
        path = Path(args.package).expanduser().resolve()
        if not path.is_file():
            raise SystemExit(f"error: {path}: no such file")
        return path, None
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # tests/support
    from support.testmodel import build_random_package, package_name

    folder = args.work / "package"
    path = folder / f"{package_name('de', 'en')}.argosmodel"
    if path.is_file():
        return path, None
    print(f"building a realistic random package into {folder} (once) ...", flush=True)
    t0 = time.perf_counter()
    built = build_random_package(folder, "de", "en", **REALISTIC)
    return built, time.perf_counter() - t0


def ensure_installed(pkg_path: Path, env: dict[str, str]) -> tuple[Path, float | None]:
    """Install the package into the isolated packages dir (once per package file)."""
    meta = package_metadata(pkg_path)
    packages_dir = Path(env["ARGOS_PACKAGES_DIR"])
    stat = pkg_path.stat()
    stamp_text = f"{pkg_path} {stat.st_size} {stat.st_mtime_ns}\n"
    stamp = packages_dir.parent / "installed.stamp"
    installed = [p for p in packages_dir.glob("*/metadata.json")] if packages_dir.is_dir() else []
    if stamp.is_file() and stamp.read_text() == stamp_text and installed:
        return installed[0].parent, None
    if packages_dir.exists():
        shutil.rmtree(packages_dir)
    t0 = time.perf_counter()
    done = subprocess.run([*pipeline_command(), "models", "install", str(pkg_path)], env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"models install failed: {done.stderr.strip()}")
    stamp.write_text(stamp_text)
    found = [p.parent for p in packages_dir.glob("*/metadata.json")
             if json.loads(p.read_text()).get("from_code") == meta["from_code"]]
    return found[0], time.perf_counter() - t0


def machine_info() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    versions = {}
    for name in ("ctranslate2", "argostranslate", "sentencepiece"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "?"
    return {"nproc": usable, "cpu_count": os.cpu_count(), "cpu": model, "versions": versions,
            "python": platform.python_version(), "load": os.getloadavg()}


def resolve_device(device: str) -> tuple[str, str]:
    import ctranslate2

    if device == "auto":
        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    return device, ("int8" if device == "cpu" else "int8_float16")


def fmt_ratio(value: float | None, goal: float, *, at_most: bool = False) -> str:
    if value is None:
        return "   n/a            (skipped)"
    ok = value <= goal if at_most else value >= goal
    sign = "<=" if at_most else ">="
    return f"{value:7.2f}  goal {sign} {goal:<5g} {'PASS' if ok else 'FAIL'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", help="an .argosmodel to use (default: build a random one)")
    parser.add_argument("--articles", type=int, default=None, help="articles (default 10)")
    parser.add_argument("--sentences-per-article", type=int, default=None,
                        help="sentences per article, titles not counted (default 20)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help="work folder (default benchmarks/work, git-ignored)")
    parser.add_argument("--skip-argos", action="store_true", help="skip (a), the slow one")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 3 articles of 8 sentences unless given")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads, 0 = every core")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(*args.child)

    articles = args.articles or (3 if args.quick else 10)
    per_article = args.sentences_per_article or (8 if args.quick else 20)
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    machine = machine_info()
    cores = args.threads if args.threads > 0 else machine["nproc"]
    device, compute_type = resolve_device(args.device)

    pkg_path, build_s = ensure_package(args)
    meta = package_metadata(pkg_path)
    source, target = meta["from_code"], meta["to_code"]
    env = isolated_env(args.work)
    installed_dir, install_s = ensure_installed(pkg_path, env)

    corpus_dir = args.work / "corpus"
    write_corpus(make_corpus(source, articles, per_article), corpus_dir)
    sentences, texts = corpus_sentences(corpus_dir, source)
    expected = articles * (per_article + 1)
    if len(set(sentences)) != len(sentences):
        raise RuntimeError("the corpus has repeated sentences; the cache would help (c)")
    n = len(sentences)

    print("Translation speed benchmark")
    print(f"  machine: {machine['nproc']} usable cores (os.cpu_count {machine['cpu_count']}), "
          f"{machine['cpu']}; load average {', '.join(f'{x:.2f}' for x in machine['load'])}")
    v = machine["versions"]
    print(f"  python {machine['python']}, ctranslate2 {v['ctranslate2']}, argostranslate "
          f"{v['argostranslate']}, sentencepiece {v['sentencepiece']}")
    print(f"  package: {pkg_path} ({pkg_path.stat().st_size / 1e6:.1f} MB, {source}->{target}"
          + (f", built in {build_s:.1f} s" if build_s is not None else ", reused") + ")")
    readme = installed_dir / "README.md"
    if readme.is_file():
        shape = [line for line in readme.read_text().splitlines() if line.startswith("layers=")]
        if shape:
            print(f"           {shape[0]}")
    print(f"  installed in {installed_dir}"
          + (f" ({install_s:.1f} s)" if install_s is not None else " (already)"))
    print(f"  corpus: {corpus_dir}: {articles} articles, {n} sentences "
          f"({articles} titles + {n - articles} found by split_sentences; generated {expected})")
    print(f"  device {device}, compute type {compute_type}, cores used {cores}")
    print(flush=True)

    runner = Runner(args.work, env)
    if n != expected:
        print(f"  note: split_sentences found {n - articles} sentences where {expected - articles} "
              "were generated; all measurements use what it found\n")
    rows: list[tuple[str, int, float, float, float]] = []  # label, sentences, s, cpu s, RSS
    notes: list[str] = []

    def step(message: str) -> None:
        print(f"  ... {message}", file=sys.stderr, flush=True)

    # (a)
    a = None
    if not args.skip_argos:
        step("(a) argostranslate, once per article (slow)")
        a = runner.child("argos", {"from": source, "to": target, "texts": texts}, "a-argos")
        if a["sentences"] != n:
            notes.append(f"WARNING: (a) translated {a['sentences']} sentences, not {n}")
        s = a["settings"]
        notes.append(
            f"(a) argostranslate defaults: batch_size {s['batch_size']} (tokens), inter_threads "
            f"{s['inter_threads']}, intra_threads {s['intra_threads']}, beam {s['beam_size']}, "
            f"{s['device']}/{s['compute_type']}, chunk type {s['chunk_type']}; its sentence "
            "splitter (MiniSBD, which downloads an ONNX model) was replaced by ours. "
            f"Import {a['import_s']:.1f} s, load {a['load_s']:.1f} s, not counted.")
        rows.append(("(a) argostranslate per article", a["sentences"], a["seconds"], a["cpu_s"],
                     a["rss_mb"]))

    # (b)
    step("(b) raw CTranslate2")
    package_spec = {"package_dir": str(installed_dir), "sentences": sentences, "device": device,
                    "compute_type": compute_type, "target_prefix": meta.get("target_prefix", ""),
                    # the engine's default: 32 examples a batch on CPU, 256 on a GPU
                    "batch_size": 32 if device == "cpu" else 256}
    layouts = [(cores, 1), (1, cores)] if device == "cpu" else [(1, cores)]
    if cores == 1:
        layouts = [(1, 1)]
    b_runs = []
    for inter, intra in layouts:
        result = runner.child("ctranslate2", {**package_spec, "inter_threads": inter,
                                              "intra_threads": intra}, f"b-ct2-{inter}x{intra}")
        result["layout"] = (inter, intra)
        b_runs.append(result)
        rows.append((f"(b) ctranslate2 inter={inter} intra={intra}", result["sentences"],
                     result["seconds"], result["cpu_s"], result["rss_mb"]))
    b = min(b_runs, key=lambda r: r["seconds"])
    notes.append(f"(b) best layout inter={b['layout'][0]} intra={b['layout'][1]}, batches of "
                 f"{package_spec['batch_size']}; "
                 f"{b['source_tokens']} source tokens, outputs of {b['output_tokens_min']}-"
                 f"{b['output_tokens_max']} tokens; load {b['load_s']:.2f} s and tokenize "
                 f"{b['tokenize_s'] * 1000:.0f} ms not counted")

    # (c)
    out = args.work / "out"
    flags = ["--to", target, "--quiet"]
    if args.device != "auto":
        flags += ["--device", args.device]
    if args.threads:
        flags += ["--threads", str(args.threads)]
    cache_file = Path(env["TRANSLATE_PIPELINE_HOME"]) / "translations.sqlite3"

    def clear_cache() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{cache_file}{suffix}").unlink(missing_ok=True)

    def run_argv(out_dir: Path, *extra: str) -> list[str]:
        if out_dir.exists():
            shutil.rmtree(out_dir)
        return ["run", str(corpus_dir), "-o", str(out_dir), *flags, *extra]

    step("(c) pipeline, cache off, end to end")
    clear_cache()
    c_e2e = runner.command([*pipeline_command(), *run_argv(out / "c-e2e", "--no-cache")],
                           "c-pipeline-e2e")
    step("(c) pipeline, cache off, in-process")
    c = runner.child("pipeline", {"argv": run_argv(out / "c", "--no-cache")}, "c-pipeline")
    if c["exit_code"] != 0:
        raise RuntimeError(f"(c) exit code {c['exit_code']}")
    if c["model_sentences"] != n:
        notes.append(f"WARNING: (c) sent {c['model_sentences']} sentences to the model, not {n}")
    nan = float("nan")
    rows.append(("(c) pipeline run, end to end", n, c_e2e["wall_s"], c_e2e["cpu_total_s"],
                 c_e2e["rss_mb"]))
    rows.append(("(c) pipeline run, in-process", n, c["seconds"], c["cpu_s"], c["rss_mb"]))
    rows.append(("(c)   its translate phase", c["model_sentences"], c["translate_s"],
                 c["translate_cpu_s"], nan))
    notes.append(
        f"(c) in-process: {c['seconds']:.2f} s in all = model load {c['load_s']:.2f} s + "
        f"translate phase {c['translate_s']:.2f} s (tokenize, translate_batch, detokenize; "
        f"{c['engine_calls']} engine call(s)) + the rest "
        f"{c['seconds'] - c['load_s'] - c['translate_s']:.2f} s "
        f"(detection, splitting, summaries, writing, lazy imports); interpreter start-up and "
        f"importing the CLI ({c['import_s']:.2f} s) not counted")

    # (d)
    step("(d) pipeline, cache on: fill, then rerun")
    clear_cache()
    d_fill = runner.child("pipeline", {"argv": run_argv(out / "d-fill")}, "d-pipeline-fill")
    d = runner.child("pipeline", {"argv": run_argv(out / "d-rerun")}, "d-pipeline-rerun")
    d_e2e = runner.command([*pipeline_command(), *run_argv(out / "d-rerun-e2e")],
                           "d-pipeline-rerun-e2e")
    for name, result in (("fill", d_fill), ("rerun", d)):
        if result["exit_code"] != 0:
            raise RuntimeError(f"(d) {name} exit code {result['exit_code']}")
    if d["model_sentences"]:
        notes.append(f"WARNING: the cached rerun sent {d['model_sentences']} sentences to the model")
    rows.append(("(d) cache on, first run, in-process", n, d_fill["seconds"], d_fill["cpu_s"],
                 d_fill["rss_mb"]))
    rows.append(("(d)   its translate phase", d_fill["model_sentences"], d_fill["translate_s"],
                 d_fill["translate_cpu_s"], nan))
    rows.append(("(d) cached rerun, in-process", n, d["seconds"], d["cpu_s"], d["rss_mb"]))
    rows.append(("(d) cached rerun, end to end", n, d_e2e["wall_s"], d_e2e["cpu_total_s"],
                 d_e2e["rss_mb"]))
    notes.append(f"(d) cached rerun in-process: model load {d['load_s']:.2f} s, "
                 f"{d['model_sentences']} sentences through the model")

    # Report
    print(f"{'measurement':<38} {'sentences':>9} {'seconds':>8} {'sent/s':>8} {'CPU s':>7} "
          f"{'peak RSS MB':>11}")
    print("-" * 86)
    for label, count, seconds, cpu, rss in rows:
        rate = count / seconds if seconds > 0 else float("inf")
        rss_text = f"{'':>11}" if math.isnan(rss) else f"{rss:11.0f}"
        print(f"{label:<38} {count:>9} {seconds:>8.2f} {rate:>8.1f} {cpu:>7.2f} {rss_text}")
    print("  (seconds: wall clock of the timed part; CPU s: user+system CPU time of it, all threads;"
          " end-to-end rows: the whole process)")
    print()
    for note in notes:
        print(f"  {note}")
    print()

    def rate(seconds: float) -> float:
        return n / seconds if seconds > 0 else float("inf")

    a_rate = rate(a["seconds"]) if a else None
    b_rate = rate(b["seconds"])
    c_run, c_translate, c_end = rate(c["seconds"]), rate(c["translate_s"]), rate(c_e2e["wall_s"])
    # The pipeline's own layout (inter=cores, intra=1 on CPU), for a CPU-time comparison.
    b_same = next((r for r in b_runs if r["layout"] == (cores, 1)), b)
    print("Ratios (goals from the issue)")
    print(f"  c/a  pipeline run in-process / argostranslate   "
          f"{fmt_ratio(c_run / a_rate if a else None, GOALS['c/a'])}")
    if a:
        print(f"       (end to end incl. start-up and load: {c_end / a_rate:.2f}; "
              f"translate phase only: {c_translate / a_rate:.2f}; raw CTranslate2 itself, b/a: "
              f"{b_rate / a_rate:.2f}, which c/a cannot exceed while c/b <= 1)")
    print(f"  c/b  pipeline translate phase / raw CTranslate2 "
          f"{fmt_ratio(c_translate / b_rate, GOALS['c/b'])}")
    print(f"       (whole in-process run: {c_run / b_rate:.2f}; end to end: {c_end / b_rate:.2f}; "
          f"on CPU time vs b inter={b_same['layout'][0]} intra={b_same['layout'][1]}: "
          f"{b_same['cpu_s'] / c['translate_cpu_s']:.2f}; cache-filling run's translate phase: "
          f"{rate(d_fill['translate_s']) / b_rate:.2f})")
    print(f"  d/c  cached rerun / first run, in-process       "
          f"{fmt_ratio(c['seconds'] / d['seconds'], GOALS['d/c'])}")
    print(f"       (end to end: {c_e2e['wall_s'] / d_e2e['wall_s']:.2f}; vs the cache-filling run: "
          f"{d_fill['seconds'] / d['seconds']:.2f}; on CPU time: {c['cpu_s'] / d['cpu_s']:.2f})")
    print(f"  RSS  peak RSS (c) end to end / (b) best         "
          f"{fmt_ratio(c_e2e['rss_mb'] / b['rss_mb'], GOALS['rss'], at_most=True)}")
    print(f"       (b {b['rss_mb']:.0f} MB, c end to end {c_e2e['rss_mb']:.0f} MB, c in-process "
          f"runner {c['rss_mb']:.0f} MB: {c['rss_mb'] / b['rss_mb']:.2f})")
    load = os.getloadavg()
    print(f"\n  load average at the end: {', '.join(f'{x:.2f}' for x in load)}"
          " (other processes share these cores: timings are noisy)")
    print(f"  logs and outputs: {args.work}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
