"""Stage 3: translation through each Argos package's own CTranslate2 model and tokenizer.

The engine takes *jobs*, a map from language pairs to sentences, for as many articles as the
caller gathered, and returns the translations in the same order. For each pair it finds a route:
a copy when source equals target, the direct package when installed, else a pivot through another
language (English first) when both legs are installed. Work is done leg by leg: every package sees
the deduplicated union of the sentences all jobs need from it, so with targets en and uk from de
(no de->uk package) the de->en leg runs once and feeds both the en output and the en->uk leg.

Decoding follows argostranslate (beam 4, length_penalty 0.2, replace_unknowns, the package's target
prefix) but batches by examples, not tokens, and keeps ``_`` as it is (argostranslate turns every
``_`` into a space). Each CTranslate2 model is loaded once per process and shared.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from translate_pipeline import packages as _packages
from translate_pipeline.config import env_setting
from translate_pipeline.errors import MissingPairError, PackageError, PipelineError
from translate_pipeline.packages import InstalledPackage

__all__ = ["EngineOptions", "Engine", "SentenceStore", "PIVOT_LANGUAGES"]

log = logging.getLogger(__name__)

#: Languages tried, in order, as the middle of a two-leg route.
PIVOT_LANGUAGES = ("en",)

Pair = tuple[str, str]


class SentenceStore(Protocol):
    """A translation memory: known translations of sentences by a given package."""

    def lookup(self, package_key: str, sentences: Sequence[str]) -> dict[str, str]: ...

    def store(self, package_key: str, translations: Mapping[str, str]) -> None: ...


@dataclass(frozen=True)
class EngineOptions:
    """How CTranslate2 runs. Each field has an environment variable (flag > env > default).

    - device: ``auto`` (cuda when a GPU is visible, else cpu), ``cpu`` or ``cuda``
      (``TRANSLATE_PIPELINE_DEVICE``)
    - threads: CPU threads in all; 0 means every core (``TRANSLATE_PIPELINE_THREADS``)
    - compute_type: ``auto`` means int8 on cpu, int8_float16 on cuda
      (``TRANSLATE_PIPELINE_COMPUTE_TYPE``)
    - batch_size: sentences per CTranslate2 batch (``TRANSLATE_PIPELINE_BATCH_SIZE``)
    """

    device: str = "auto"
    threads: int = 0
    compute_type: str = "auto"
    batch_size: int = 32
    beam_size: int = 4

    @classmethod
    def from_env(cls, **overrides: Any) -> "EngineOptions":
        values: dict[str, Any] = {
            "device": env_setting("TRANSLATE_PIPELINE_DEVICE", "auto"),
            "threads": int(env_setting("TRANSLATE_PIPELINE_THREADS", "0") or 0),
            "compute_type": env_setting("TRANSLATE_PIPELINE_COMPUTE_TYPE", "auto"),
            "batch_size": int(env_setting("TRANSLATE_PIPELINE_BATCH_SIZE", "32") or 32),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def resolved(self) -> "EngineOptions":
        """Replace ``auto`` and 0 by what this machine should use."""
        import ctranslate2

        device = self.device
        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        elif device == "cuda" and ctranslate2.get_cuda_device_count() == 0:
            raise PipelineError("--device cuda", "no CUDA device is visible to CTranslate2")
        compute = self.compute_type
        if compute == "auto":
            compute = "int8" if device == "cpu" else "int8_float16"
        supported = ctranslate2.get_supported_compute_types(device)
        if compute not in supported:
            raise PipelineError(
                f"--compute-type {compute}",
                f"not supported on {device} (supported: {', '.join(sorted(supported))})",
            )
        threads = self.threads if self.threads > 0 else (os.cpu_count() or 1)
        return EngineOptions(device, threads, compute, max(1, self.batch_size), self.beam_size)


_models_lock = threading.Lock()
_models: dict[tuple[Any, ...], Any] = {}


def _load_translator(pkg: InstalledPackage, options: EngineOptions):
    """One ctranslate2.Translator per (model, device, compute type, threads) per process."""
    try:  # a reinstall of the same version in this process must not reuse the old model
        stamp = (pkg.model_dir / "model.bin").stat().st_mtime_ns
    except OSError as exc:
        raise PackageError(pkg.name, f"its model is missing: {exc}") from exc
    key = (str(pkg.model_dir), stamp, options.device, options.compute_type, options.threads)
    with _models_lock:
        translator = _models.get(key)
        if translator is None:
            import ctranslate2

            if options.device == "cpu":
                # Several batches in flight, one thread each: best throughput for batch work.
                threading_args = {"inter_threads": options.threads, "intra_threads": 1}
            else:
                threading_args = {"inter_threads": 1, "intra_threads": options.threads}
            try:
                translator = ctranslate2.Translator(
                    str(pkg.model_dir),
                    device=options.device,
                    compute_type=options.compute_type,
                    **threading_args,
                )
            except Exception as exc:  # a corrupt model.bin raises RuntimeError, IndexError, ...
                raise PackageError(pkg.name, f"cannot load its CTranslate2 model: {exc}") from exc
            _models[key] = translator
        return translator


def package_key(pkg: InstalledPackage) -> str:
    """How the translation cache names a package: its folder name and version."""
    return f"{pkg.name}@{pkg.version}"


class _PackageRunner:
    """Tokenize, translate and detokenize sentences with one package."""

    def __init__(self, pkg: InstalledPackage, options: EngineOptions):
        self.pkg = pkg
        self.options = options
        self._tokenizer = pkg.tokenizer()
        self._sp = getattr(self._tokenizer, "lazy_processor", None)

    def encode(self, sentence: str) -> list[str]:
        return self._tokenizer.encode(sentence)

    def decode(self, tokens: list[str]) -> str:
        if self._sp is not None:
            # argostranslate's decode also turns "_" into spaces; we keep underscores.
            value = self._sp().decode_pieces(tokens).replace("\u2581", " ")
        else:
            value = self._tokenizer.decode(tokens)
        prefix = self.pkg.target_prefix
        if prefix and value.startswith(prefix):
            value = value[len(prefix):]
        if value.startswith(" "):
            value = value[1:]
        return value

    def translate(self, sentences: Sequence[str]) -> list[str]:
        if not sentences:
            return []
        translator = _load_translator(self.pkg, self.options)
        try:
            tokenized = [self.encode(s) for s in sentences]
        except Exception as exc:  # a corrupt sentencepiece.model fails on first use
            raise PackageError(self.pkg.name, f"cannot use its tokenizer: {exc}") from exc
        prefix = [[self.pkg.target_prefix]] * len(tokenized) if self.pkg.target_prefix else None
        try:
            results = translator.translate_batch(
                tokenized,
                target_prefix=prefix,
                max_batch_size=self.options.batch_size,
                batch_type="examples",
                beam_size=self.options.beam_size,
                num_hypotheses=1,
                length_penalty=0.2,
                replace_unknowns=True,
            )
        except (RuntimeError, ValueError) as exc:
            raise PackageError(self.pkg.name, f"translation failed: {exc}") from exc
        return [self.decode(r.hypotheses[0]) for r in results]


class Engine:
    """Translate many sentences for many pairs at once; see the module docstring."""

    def __init__(
        self,
        options: EngineOptions | None = None,
        *,
        installed: Sequence[InstalledPackage] | None = None,
        memory: SentenceStore | None = None,
    ):
        self._options = options or EngineOptions.from_env()
        self._resolved: EngineOptions | None = None
        self._installed = tuple(_packages.list_installed() if installed is None else installed)
        self._by_pair = {p.pair: p for p in self._installed}
        self._runners: dict[str, _PackageRunner] = {}
        self.memory = memory
        self.translated_count = 0  # sentences that went through a model (not cache, not copy)

    @property
    def options(self) -> EngineOptions:
        """The options resolved for this machine; only needed (and ctranslate2 imported) when a
        sentence really goes through a model, so cached reruns skip it."""
        if self._resolved is None:
            self._resolved = self._options.resolved()
        return self._resolved

    @property
    def installed_pairs(self) -> tuple[Pair, ...]:
        return tuple(sorted(self._by_pair))

    def route(self, source: str, target: str) -> tuple[InstalledPackage, ...]:
        """The packages that take ``source`` to ``target``: () for a copy, one, or two legs."""
        if source == target:
            return ()
        direct = self._by_pair.get((source, target))
        if direct is not None:
            return (direct,)
        pivots = list(PIVOT_LANGUAGES) + sorted({b for a, b in self._by_pair if a == source})
        for pivot in pivots:
            first = self._by_pair.get((source, pivot))
            second = self._by_pair.get((pivot, target))
            if first is not None and second is not None:
                return (first, second)
        raise MissingPairError(source, target, self.installed_pairs, self._suggest(source, target))

    def _suggest(self, source: str, target: str) -> list[Pair]:
        """What to install: the missing leg(s) of a route through a pivot (Argos publishes
        models to and from English for every language), else the direct pair."""
        for pivot in PIVOT_LANGUAGES:
            if pivot in (source, target):
                continue
            legs = [(source, pivot), (pivot, target)]
            return [leg for leg in legs if leg not in self._by_pair]
        return [(source, target)]

    def can_translate(self, source: str, target: str) -> bool:
        try:
            self.route(source, target)
        except MissingPairError:
            return False
        return True

    def translate(self, jobs: Mapping[Pair, Sequence[str]]) -> dict[Pair, list[str]]:
        """Translate every job's sentences; raises MissingPairError for an unroutable pair."""
        routes = {pair: self.route(*pair) for pair in jobs}
        # current[pair][i] is where sentence i of that job stands after the legs done so far.
        current = {pair: list(sentences) for pair, sentences in jobs.items()}
        depth = max((len(r) for r in routes.values()), default=0)
        for leg in range(depth):
            wanted: dict[str, tuple[InstalledPackage, dict[str, None]]] = {}
            for pair, route in routes.items():
                if leg < len(route):
                    pkg = route[leg]
                    bucket = wanted.setdefault(pkg.name, (pkg, {}))[1]
                    bucket.update(dict.fromkeys(current[pair]))
            done = {
                name: self._translate_unique(pkg, list(bucket)) for name, (pkg, bucket) in wanted.items()
            }
            for pair, route in routes.items():
                if leg < len(route):
                    table = done[route[leg].name]
                    current[pair] = [table[s] for s in current[pair]]
        return current

    def _translate_unique(self, pkg: InstalledPackage, sentences: list[str]) -> dict[str, str]:
        key = package_key(pkg)
        result: dict[str, str] = {s: "" for s in sentences if not s.strip()}
        todo = [s for s in sentences if s.strip()]
        if self.memory is not None and todo:
            result.update(self.memory.lookup(key, todo))
            todo = [s for s in todo if s not in result]
        if todo:
            runner = self._runners.get(pkg.name)
            if runner is None:
                runner = self._runners[pkg.name] = _PackageRunner(pkg, self.options)
            fresh = dict(zip(todo, runner.translate(todo)))
            self.translated_count += len(todo)
            if self.memory is not None:
                self.memory.store(key, fresh)
            result.update(fresh)
        return result
