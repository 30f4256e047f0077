"""Stage 5: translation through each Argos package's own CTranslate2 model and tokenizer.

The engine takes *jobs*, a map from language pairs to sentences, for as many articles as the
caller gathered, and returns the translations in the same order. For each pair it finds a route:
a copy when source equals target, the direct package when installed, else a pivot through another
language (English first) when both legs are installed. Work is done leg by leg: every package sees
the deduplicated union of the sentences all jobs need from it, so with targets en and uk from de
(no de->uk package) the de->en leg runs once and feeds both the en output and the en->uk leg.

Decoding follows argostranslate (beam 4, length_penalty 0.2, replace_unknowns, the package's target
prefix) but batches by examples, not tokens, and keeps ``_`` as it is (argostranslate turns every
``_`` into a space). Unlike argostranslate it never truncates: a sentence too long for the model
is cut into parts and joined back, and decoding has no fixed cap
(:mod:`~translate_pipeline.translation.segments`).
Each CTranslate2 model is loaded once per process and shared.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from translate_pipeline.translation import packages as _packages
from translate_pipeline.translation import segments
from translate_pipeline.config import env_count, env_setting, usable_cores
from translate_pipeline.errors import MissingPairError, PackageError, PipelineError
from translate_pipeline.translation.packages import InstalledPackage

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
    - threads: CPU threads in all; 0 means every core this process may use
      (``TRANSLATE_PIPELINE_THREADS``)
    - compute_type: ``auto`` means int8 on cpu, int8_float16 on cuda
      (``TRANSLATE_PIPELINE_COMPUTE_TYPE``)
    - batch_size: sentences per CTranslate2 batch; 0 means 32 on cpu and 256 on cuda, where
      small batches leave the GPU idle (an H200 translated 420 sentences/s in batches of 32
      and 1,500 in batches of 256) (``TRANSLATE_PIPELINE_BATCH_SIZE``)
    """

    device: str = "auto"
    threads: int = 0
    compute_type: str = "auto"
    batch_size: int = 0
    beam_size: int = 4

    @classmethod
    def from_env(cls, **overrides: Any) -> "EngineOptions":
        """Flags (``overrides``) over the environment; a variable that is not a count raises
        :class:`ValueError` naming it (only when no flag overrides it)."""
        readers = {
            "device": lambda: env_setting("TRANSLATE_PIPELINE_DEVICE", "auto"),
            "threads": lambda: env_count("TRANSLATE_PIPELINE_THREADS"),
            "compute_type": lambda: env_setting("TRANSLATE_PIPELINE_COMPUTE_TYPE", "auto"),
            "batch_size": lambda: env_count("TRANSLATE_PIPELINE_BATCH_SIZE"),
        }
        values: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
        for key, read in readers.items():
            if key not in values:
                values[key] = read()
        return cls(**values)

    def resolved(self) -> "EngineOptions":
        """Replace ``auto`` and 0 by what this machine should use."""
        import ctranslate2

        device = self.device
        if device in ("auto", "cuda"):
            problem = cuda_problem()
            if problem is None:
                device = "cuda"
            elif device == "cuda":
                raise PipelineError("--device cuda", problem)
            else:
                if problem != NO_CUDA_DEVICE:
                    _note_cpu_fallback(problem)
                device = "cpu"
        compute = self.compute_type
        if compute == "auto":
            compute = "int8" if device == "cpu" else "int8_float16"
        supported = ctranslate2.get_supported_compute_types(device)
        if compute not in supported:
            raise PipelineError(
                f"--compute-type {compute}",
                f"not supported on {device} (supported: {', '.join(sorted(supported))})",
            )
        threads = self.threads if self.threads > 0 else usable_cores()
        batch_size = self.batch_size if self.batch_size > 0 else (32 if device == "cpu" else 256)
        return EngineOptions(device, threads, compute, batch_size, self.beam_size)


NO_CUDA_DEVICE = "no CUDA device is visible to CTranslate2"


def _cublas_name(ct2_version: str) -> str | None:
    """The cuBLAS library a PyPI build of CTranslate2 opens at run time (4.x: CUDA 12's), or
    None for a version we do not know."""
    major = ct2_version.split(".", 1)[0]
    return {"3": "libcublas.so.11", "4": "libcublas.so.12"}.get(major)


def _preload_pip_cublas(name: str) -> None:
    """Load ``name`` (and its cublasLt) from the ``nvidia-cublas-cu12`` wheel when installed, so
    ``pip install nvidia-cublas-cu12`` is enough, without LD_LIBRARY_PATH. CTranslate2's own
    ``dlopen`` of the same name then finds the library already loaded."""
    import ctypes
    import importlib.util

    try:
        spec = importlib.util.find_spec("nvidia.cublas")
    except ImportError:  # no nvidia package at all
        return
    for folder in (spec.submodule_search_locations or []) if spec else []:
        lib = Path(folder, "lib")
        lt = lib / name.replace("libcublas", "libcublasLt")
        if (lib / name).is_file():
            for path in (lt, lib / name):
                if path.is_file():
                    ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)
            return


@functools.lru_cache(maxsize=1)
def cuda_problem() -> str | None:
    """None when CTranslate2 can run on a GPU here, else why not (no device visible, or the
    CUDA library it loads at run time is missing: PyPI's CTranslate2 4.x needs CUDA 12's cuBLAS,
    which a machine with only CUDA 13 does not have)."""
    import ctypes

    import ctranslate2

    if ctranslate2.get_cuda_device_count() == 0:
        return NO_CUDA_DEVICE
    name = _cublas_name(ctranslate2.__version__)
    if name is None:
        return None
    try:
        _preload_pip_cublas(name)
        ctypes.CDLL(name)
    except OSError as exc:
        cuda = "11" if name.endswith(".11") else "12"
        return (f"CTranslate2 {ctranslate2.__version__} needs CUDA {cuda}'s cuBLAS ({name}), "
                f"which cannot be loaded ({exc}); install it with pip install "
                f"nvidia-cublas-cu{cuda}, or put CUDA {cuda}'s lib folder on LD_LIBRARY_PATH")
    return None


@functools.lru_cache(maxsize=None)
def _note_cpu_fallback(problem: str) -> None:
    """Say it once per process, not per engine."""
    log.warning("a GPU is visible but not usable, so translating on the CPU: %s", problem)


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
        self.limit = segments.input_limit(pkg)  # longer sentences are cut (segments module)

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

    def translate(self, sentences: Sequence[str],
                  progress: Callable[[int], None] | None = None) -> list[str]:
        """``progress(n)``, when given: ``n`` more of ``sentences`` translated. The call is the
        same either way (one ``translate_batch``, batched as CTranslate2 sees fit); with
        ``progress`` it runs asynchronously and the results are collected as they come."""
        if not sentences:
            return []
        translator = _load_translator(self.pkg, self.options)
        try:
            tokenized = [self.encode(s) for s in sentences]
        except Exception as exc:  # a corrupt sentencepiece.model fails on first use
            raise PackageError(self.pkg.name, f"cannot use its tokenizer: {exc}") from exc
        plan = segments.plan(tokenized, self.limit, bpe=self._sp is None)
        tokenized = list(plan.segments)
        prefix = [[self.pkg.target_prefix]] * len(tokenized) if self.pkg.target_prefix else None
        try:
            results = translator.translate_batch(
                tokenized,
                max_input_length=0,
                max_decoding_length=segments.decoding_length(tokenized),
                target_prefix=prefix,
                max_batch_size=self.options.batch_size,
                batch_type="examples",
                asynchronous=progress is not None,
                beam_size=self.options.beam_size,
                num_hypotheses=1,
                length_penalty=0.2,
                replace_unknowns=True,
            )
            if progress is not None:
                results = list(_as_they_come(results, len(sentences), progress))
        except (RuntimeError, ValueError) as exc:
            raise PackageError(self.pkg.name, f"translation failed: {exc}") from exc
        return plan.join([self.decode(r.hypotheses[0]) for r in results], self.pkg.to_code)


def _as_they_come(pending, sentences: int, progress: Callable[[int], None]):
    """The results of an asynchronous ``translate_batch``, in order, reporting to ``progress``
    how many of the ``sentences`` they amount to (a long sentence may be several segments)."""
    told = 0
    for index, result in enumerate(pending, 1):
        yield result.result()
        done = sentences * index // len(pending)
        if done > told:
            progress(done - told)
            told = done


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
            log.info("CTranslate2 on %s, compute type %s, %d threads", self._resolved.device,
                     self._resolved.compute_type, self._resolved.threads)
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

    def pivot_routes(self) -> dict[Pair, tuple[InstalledPackage, ...]]:
        """Every pair with no package of its own that :meth:`route` reaches through a pivot,
        with its two legs, by pair."""
        sources = sorted({a for a, _ in self._by_pair})
        targets = sorted({b for _, b in self._by_pair})
        routes = {}
        for source in sources:
            for target in targets:
                if source == target or (source, target) in self._by_pair:
                    continue
                try:
                    routes[(source, target)] = self.route(source, target)
                except MissingPairError:
                    continue
        return routes

    def can_translate(self, source: str, target: str) -> bool:
        try:
            self.route(source, target)
        except MissingPairError:
            return False
        return True

    def translate(self, jobs: Mapping[Pair, Sequence[str]],
                  progress: Callable[[int], None] | None = None) -> dict[Pair, list[str]]:
        """Translate every job's sentences; raises MissingPairError for an unroutable pair.
        ``progress(n)``: ``n`` more sentences went through a model (a progress bar's)."""
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
                name: self._translate_unique(pkg, list(bucket), progress)
                for name, (pkg, bucket) in wanted.items()
            }
            for pair, route in routes.items():
                if leg < len(route):
                    table = done[route[leg].name]
                    current[pair] = [table[s] for s in current[pair]]
        return current

    def cached(self, jobs: Mapping[Pair, Sequence[str]]) -> dict[Pair, list[str | None]]:
        """What :meth:`translate` would return, from the translation memory alone: no model is
        loaded or run. A sentence whose translation (on any leg of its route) is not in the
        memory is ``None``; raises MissingPairError for an unroutable pair."""
        routes = {pair: self.route(*pair) for pair in jobs}
        current: dict[Pair, list[str | None]] = {pair: list(s) for pair, s in jobs.items()}
        depth = max((len(r) for r in routes.values()), default=0)
        for leg in range(depth):
            wanted: dict[str, tuple[InstalledPackage, dict[str, None]]] = {}
            for pair, route in routes.items():
                if leg < len(route):
                    bucket = wanted.setdefault(route[leg].name, (route[leg], {}))[1]
                    bucket.update(dict.fromkeys(s for s in current[pair] if s is not None))
            known: dict[str, dict[str, str]] = {}
            for name, (pkg, bucket) in wanted.items():
                table = {s: "" for s in bucket if not s.strip()}
                todo = [s for s in bucket if s.strip()]
                if self.memory is not None and todo:
                    table.update(self.memory.lookup(package_key(pkg), todo))
                known[name] = table
            for pair, route in routes.items():
                if leg < len(route):
                    table = known[route[leg].name]
                    current[pair] = [None if s is None else table.get(s) for s in current[pair]]
        return current

    def _translate_unique(self, pkg: InstalledPackage, sentences: list[str],
                          progress: Callable[[int], None] | None = None) -> dict[str, str]:
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
            fresh = dict(zip(todo, runner.translate(todo, progress)))
            self.translated_count += len(todo)
            if self.memory is not None:
                self.memory.store(key, fresh)
            result.update(fresh)
        return result
