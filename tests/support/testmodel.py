"""Build small but structurally real Argos Translate packages with random weights.

Nothing binary is committed: tests (small size) and the speed benchmark (realistic size) build
``.argosmodel`` files on the fly. A package built here is a real zip with ``metadata.json``, a
real SentencePiece tokenizer and a real CTranslate2 Transformer (pre-norm encoder-decoder, like
the OpenNMT-py models Argos ships), filled with fixed-seed random weights. The text it produces is
garbage, but it is deterministic, and its length is fixed:

**Length gating.** The decoder uses a learned position table. Its last two dimensions ``g1, g2``
hold ``+a, -a`` at steps ``t < output_tokens`` and ``-a, +a`` from step ``output_tokens`` on. No
embedding writes those dimensions, and every sublayer's output projection (self-attention,
cross-attention, FFN) has zero rows for them, so they reach the final layer norm untouched. There
``g1`` and ``g2`` shift by the same mean and are divided by the same deviation ``s``, so
``ln[g1] - ln[g2] = ∓2a/s``, with the sign set by the step alone. Only the ``</s>`` row of the
output projection reads them (``+w`` at ``g1``, ``-w`` at ``g2``; every other row has zeros there),
so the ``</s>`` logit is about ``-2aw/s`` (never chosen) before step ``output_tokens`` and
``+2aw/s`` (always chosen) at it, for any input, with beam search or greedy, int8 or float32.
``<unk>`` and ``<s>`` are suppressed by a large negative output bias. So every sentence decodes to
exactly ``output_tokens`` tokens (a ``target_prefix`` token, if forced, counts as one of them).

Run ``python -m support.testmodel OUT_DIR FROM TO [--size small|realistic]``.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import math
import random
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["build_random_package", "write_package", "package_name", "SIZES", "LANGUAGE_NAMES"]

#: Keyword presets for :func:`build_random_package`.
SIZES: dict[str, dict] = {
    "small": dict(layers=2, d_model=64, heads=4, ffn=128, vocab_size=1000, output_tokens=8),
    "realistic": dict(
        layers=6, d_model=512, heads=8, ffn=2048, vocab_size=32000, output_tokens=32,
        quantization="int8",
    ),
}

LANGUAGE_NAMES = {
    "en": "English", "de": "German", "fr": "French", "uk": "Ukrainian", "es": "Spanish",
    "it": "Italian", "pl": "Polish", "ru": "Russian", "pt": "Portuguese", "nl": "Dutch",
}

_DECODER_POSITIONS = 1024  # rows of the learned decoder position table
_GATE = 4.0  # |a|: value of the two gate dimensions in the decoder position table
_EOS_WEIGHT = 100.0  # w: weight of the gate dimensions in the </s> output row
_SUPPRESS_BIAS = -1000.0  # output bias of <unk> and <s>

# ---------------------------------------------------------------------------------------------
# Generated training text for the tokenizer

_REAL_WORDS = {
    "en": "the of and to in a is that for on with as was said by it at from his an be has have "
    "are were government minister president people year years new police city state country "
    "world week after would will more than about but not they this who their which also two "
    "percent million report news election war officials on Monday Tuesday Friday market company "
    "prices energy health school court water first last time today".split(),
    "de": "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch "
    "es an werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über so zum "
    "Regierung Minister Präsident Menschen Jahr Jahren neue Polizei Stadt Land Welt Woche "
    "Prozent Millionen Bericht Wahl Krieg Montag Freitag Markt Unternehmen Preise Energie "
    "Gesundheit Schule Gericht Wasser größte Straße müssen würde für über Bürger".split(),
    "fr": "le la les de des et à un une du en est que pour dans qui sur par pas plus au avec "
    "ce il elle a été sont ont mais comme aussi leur gouvernement ministre président personnes "
    "année ans nouveau police ville pays monde semaine pour cent millions rapport élection "
    "guerre lundi vendredi marché entreprise prix énergie santé école tribunal eau très déjà "
    "être où après français première l' d' qu'".split(),
    "uk": "і в на з що не до це як за та у від про його але вже було він вона вони був була "
    "уряд міністр президент люди рік років новий поліція місто країна світ тиждень відсотків "
    "мільйонів звіт вибори війна понеділок пʼятниця ринок компанія ціни енергія здоровʼя "
    "школа суд вода Україна України Київ також після їх є ще який яка своє".split(),
}

_LETTERS = {
    "en": ("bcdfghlmnprstvwkyz", "aeiouy", ""),
    "de": ("bcdfghklmnprstvwzß", "aeiouäöü", "sch st ch ng"),
    "fr": ("bcdfglmnprstvjq", "aeiouéèêàâîôûç", "qu ch ou"),
    "uk": ("бвгґджзклмнпрстфхцчшщ", "аеєиіїоуюяь", "ст ні ко"),
}

_REQUIRED_CHARS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "äöüßÄÖÜéèêëàâæçîïôœùûüÿÉÈÊÀÇÔŒ"
    "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяАБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯёъыэЁЪЫЭʼ'’"
    ".,;:!?-–—()[]\"«»„“”‘%€$£/&+@#*="
)


def _pseudo_words(lang: str, count: int, rng: random.Random) -> list[str]:
    consonants, vowels, clusters = _LETTERS[lang]
    onsets = list(consonants) + clusters.split()
    words: set[str] = set()
    while len(words) < count:
        parts = []
        for _ in range(rng.randint(1, 4)):
            parts.append(rng.choice(onsets) + rng.choice(vowels))
            if rng.random() < 0.3:
                parts.append(rng.choice(consonants))
        words.add("".join(parts))
    return sorted(words)


def generate_corpus(n_sentences: int, lexicon_size: int, seed: int = 0) -> list[str]:
    """Deterministic news-like sentences in English, German, French and Ukrainian."""
    rng = random.Random(seed)
    per_lang = max(lexicon_size // len(_REAL_WORDS), 50)
    lexicons = []
    for lang in _REAL_WORDS:
        words = _REAL_WORDS[lang] + _pseudo_words(lang, per_lang, rng)
        # Zipf-like frequencies: the real words come first and are the most frequent
        weights = (1.0 / (rank + 1) ** 0.9 for rank in range(len(words)))
        cumulative = list(itertools.accumulate(weights))
        lexicons.append((words, cumulative))
    ends = [".", ".", ".", "!", "?", ":", "…"]
    out = []
    for _ in range(n_sentences):
        words, cumulative = rng.choice(lexicons)
        length = rng.randint(4, 20)
        chosen = rng.choices(words, cum_weights=cumulative, k=length)
        chosen[0] = chosen[0][:1].upper() + chosen[0][1:]
        for i in range(1, length):
            r = rng.random()
            if r < 0.04:
                chosen[i] = str(rng.randrange(3000))
            elif r < 0.06:
                chosen[i] = f"{rng.randint(1, 99)},{rng.randrange(10)}%"
            elif r < 0.12:
                chosen[i] = chosen[i].capitalize()
            elif r < 0.16:
                chosen[i] += ","
            elif r < 0.18:
                opening, closing = rng.choice((("«", "»"), ("„", "“"), ("\"", "\"")))
                chosen[i] = opening + chosen[i] + closing
        out.append(" ".join(chosen) + rng.choice(ends))
    return out


def train_sentencepiece(vocab_size: int, *, seed: int = 0, user_symbols: tuple[str, ...] = ()
                        ) -> bytes:
    """A unigram SentencePiece model (serialized) trained on generated text.

    The corpus grows with ``vocab_size`` so that the vocabulary is reachable;
    ``hard_vocab_limit=False`` keeps tiny or odd requests from failing (the model may then be
    slightly smaller than asked).
    """
    import sentencepiece as spm

    # About one sentence and 1.5 distinct words per piece: enough for 32000 pieces, fast for 1000.
    corpus = generate_corpus(max(1000, vocab_size), max(1500, vocab_size * 3 // 2), seed=seed)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        required_chars=_REQUIRED_CHARS,
        user_defined_symbols=list(user_symbols),
        hard_vocab_limit=False,
        input_sentence_size=0,
        shuffle_input_sentence=False,
        num_threads=2,  # fixed: the trained model is identical for a fixed thread count
        minloglevel=2,
    )
    return model.getvalue()


# ---------------------------------------------------------------------------------------------
# Random CTranslate2 Transformer


def _sinusoids(length: int, depth: int) -> np.ndarray:
    half = depth // 2
    inv = np.exp(-math.log(10000.0) * np.arange(half, dtype=np.float32) / max(half - 1, 1))
    angles = np.arange(length, dtype=np.float32)[:, None] * inv[None, :]
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1).astype(np.float32)


def _ctranslate2_builders():
    """``(transformer_spec, Converter)``, imported without torch when torch is not loaded yet.

    ``ctranslate2.specs`` imports torch if it can (about a second and a few hundred MB), only to
    accept torch tensors; numpy arrays are all we give it. So hide torch during that import.
    """
    hide = "torch" not in sys.modules
    if hide:
        sys.modules["torch"] = None  # type: ignore[assignment]  # makes "import torch" fail
    try:
        from ctranslate2.converters import Converter
        from ctranslate2.specs import transformer_spec
    finally:
        if hide and sys.modules.get("torch", False) is None:
            del sys.modules["torch"]
    return transformer_spec, Converter


def build_spec(vocabulary: list[str], *, layers: int, d_model: int, heads: int, ffn: int,
               output_tokens: int, seed: int = 0):
    """A ``TransformerSpec`` with random weights and the ``</s>`` length gate described above."""
    transformer_spec, _ = _ctranslate2_builders()

    if d_model % heads or d_model < 8:
        raise ValueError("d_model must be >= 8 and divisible by heads")
    if not 1 <= output_tokens < _DECODER_POSITIONS - 1:
        raise ValueError(f"output_tokens must be in 1..{_DECODER_POSITIONS - 2}")
    rng = np.random.default_rng(seed)
    d, g1, g2 = d_model, d_model - 2, d_model - 1
    vocab = len(vocabulary)

    def normal(*shape, std=1.0):
        return (rng.standard_normal(shape, dtype=np.float32) * np.float32(std))

    def linear(spec, out_dim, in_dim, *, gate_rows=False, gain=1.0):
        weight = normal(out_dim, in_dim, std=gain / math.sqrt(in_dim))
        bias = normal(out_dim, std=0.02)
        if gate_rows:  # this sublayer writes the residual stream: never into the gate dims
            weight[[g1, g2], :] = 0.0
            bias[[g1, g2]] = 0.0
        spec.weight, spec.bias = weight, bias

    def layer_norm(spec):
        spec.gamma = (1.0 + normal(d, std=0.05)).astype(np.float32)
        spec.beta = normal(d, std=0.02)

    def attention(spec, self_attention):
        layer_norm(spec.layer_norm)
        if self_attention:
            linear(spec.linear[0], 3 * d, d, gain=1.5)  # fused q, k, v
            linear(spec.linear[1], d, d, gate_rows=True)
        else:
            linear(spec.linear[0], d, d, gain=2.0)  # query: sharp enough that the source matters
            linear(spec.linear[1], 2 * d, d, gain=2.0)  # fused k, v
            linear(spec.linear[2], d, d, gate_rows=True, gain=1.5)

    def feed_forward(spec):
        layer_norm(spec.layer_norm)
        linear(spec.linear_0, ffn, d)
        linear(spec.linear_1, d, ffn, gate_rows=True, gain=0.7)

    def embeddings(spec):
        weight = normal(vocab, d, std=1.0 / math.sqrt(d))  # scaled by sqrt(d) in the model
        weight[:, [g1, g2]] = 0.0
        spec.weight = weight

    spec = transformer_spec.TransformerSpec.from_config((layers, layers), heads)
    encoder, decoder = spec.encoder, spec.decoder
    embeddings(encoder.embeddings[0])  # encoder positions: CTranslate2's built-in sinusoids
    layer_norm(encoder.layer_norm)
    for layer in encoder.layer:
        attention(layer.self_attention, True)
        feed_forward(layer.ffn)

    embeddings(decoder.embeddings)
    positions = _sinusoids(_DECODER_POSITIONS, d)
    positions[:, [g1, g2]] = 0.0
    positions[:output_tokens, g1], positions[:output_tokens, g2] = -_GATE, _GATE
    positions[output_tokens:, g1], positions[output_tokens:, g2] = _GATE, -_GATE
    decoder.position_encodings.encodings = positions
    layer_norm(decoder.layer_norm)
    decoder.layer_norm.gamma[[g1, g2]] = 1.0
    decoder.layer_norm.beta[[g1, g2]] = 0.0
    for layer in decoder.layer:
        attention(layer.self_attention, True)
        attention(layer.attention, False)
        feed_forward(layer.ffn)

    projection = normal(vocab, d, std=3.0 / math.sqrt(d))
    projection[:, [g1, g2]] = 0.0
    bias = normal(vocab, std=0.1)
    eos = vocabulary.index("</s>")
    projection[eos, :] = 0.0
    projection[eos, g1], projection[eos, g2] = _EOS_WEIGHT, -_EOS_WEIGHT
    bias[eos] = 0.0
    for token in ("<unk>", "<s>"):
        if token in vocabulary:
            bias[vocabulary.index(token)] = _SUPPRESS_BIAS
    decoder.projection.weight, decoder.projection.bias = projection, bias

    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    return spec


def _converter(spec):
    _, Converter = _ctranslate2_builders()

    class _SpecConverter(Converter):
        def _load(self):
            return spec

    return _SpecConverter()


# ---------------------------------------------------------------------------------------------
# The package


def package_name(from_code: str, to_code: str, version: str = "1.0") -> str:
    """``translate-<from>_<to>-<version with dots as _>``."""
    return f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"


def write_package(out_dir: Path, name: str, files: dict[str, bytes], make_spec, *,
                  quantization: str | None = None) -> Path:
    """Write ``out_dir/<name>.argosmodel``: a zip with ``files`` (``metadata.json``,
    ``sentencepiece.model``, ...) and ``model/``, the CTranslate2 model converted from the spec
    ``make_spec()`` returns (called here, so its float32 arrays are freed before zipping).
    Entries have fixed dates and modes: the same arguments give the same bytes."""
    target = out_dir / f"{name}.argosmodel"
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".build-") as tmp:
        model_dir = Path(tmp) / "model"
        spec = make_spec()
        _converter(spec).convert(str(model_dir), quantization=quantization)
        del spec
        partial = Path(tmp) / "package.zip"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            def add(arcname: str, data: bytes) -> None:
                info = zipfile.ZipInfo(f"{name}/{arcname}", date_time=(2024, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)

            for arcname, data in files.items():
                add(arcname, data)
            for path in sorted(model_dir.iterdir()):
                add(f"model/{path.name}", path.read_bytes())
        shutil.move(str(partial), target)
    return target


def build_random_package(out_dir: Path, from_code: str, to_code: str, *, version: str = "1.0",
                         layers: int = 2, d_model: int = 64, heads: int = 4, ffn: int = 128,
                         vocab_size: int = 1000, output_tokens: int = 8, seed: int = 0,
                         quantization: str | None = None, target_prefix: str = "") -> Path:
    """Write translate-<from>_<to>-<version with dots as _>.argosmodel into out_dir; return its path.

    See the module docstring for how the output length is fixed at ``output_tokens``. Presets:
    :data:`SIZES` (``small`` for tests, ``realistic`` for benchmarks).
    """
    import sentencepiece as spm

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = package_name(from_code, to_code, version)
    symbols = (target_prefix,) if target_prefix else ()
    sp_model = train_sentencepiece(vocab_size, seed=seed, user_symbols=symbols)
    processor = spm.SentencePieceProcessor(model_proto=sp_model)
    vocabulary = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]

    def spec():
        return build_spec(vocabulary, layers=layers, d_model=d_model, heads=heads, ffn=ffn,
                          output_tokens=output_tokens, seed=seed + 1)

    metadata = {
        "package_version": version,
        "argos_version": "1.0",
        "from_code": from_code,
        "from_name": LANGUAGE_NAMES.get(from_code, from_code),
        "to_code": to_code,
        "to_name": LANGUAGE_NAMES.get(to_code, to_code),
        "type": "translate",
    }
    if target_prefix:
        metadata["target_prefix"] = target_prefix
    readme = (
        f"# {metadata['from_name']} -> {metadata['to_name']} (random test model)\n\n"
        "Built by support.testmodel: random weights, garbage output of exactly "
        f"{output_tokens} tokens per sentence. Not for real translation.\n\n"
        f"layers={layers} d_model={d_model} heads={heads} ffn={ffn} "
        f"vocab={len(vocabulary)} quantization={quantization or 'float32'} seed={seed}\n"
    )
    files = {
        "metadata.json": json.dumps(metadata, indent=2, ensure_ascii=False).encode(),
        "README.md": readme.encode(),
        "sentencepiece.model": sp_model,
    }
    return write_package(out_dir, name, files, spec, quantization=quantization)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m support.testmodel",
        description="Build an Argos package with random weights (for tests and benchmarks).",
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("from_code")
    parser.add_argument("to_code")
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--version", default="1.0")
    parser.add_argument("--target-prefix", default="")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    path = build_random_package(args.out_dir, args.from_code, args.to_code, version=args.version,
                                seed=args.seed, target_prefix=args.target_prefix,
                                **SIZES[args.size])
    print(f"{path} ({path.stat().st_size / 1e6:.1f} MB, {time.perf_counter() - start:.1f} s)",
          file=sys.stderr)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
