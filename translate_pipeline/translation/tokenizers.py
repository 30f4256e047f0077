"""The tokenizers of Argos packages, without argostranslate (and so without torch, stanza, spacy).

- ``sentencepiece.model`` (every package in the Argos index today): :class:`SentencePieceTokenizer`,
  which encodes exactly as argostranslate's (pieces as strings) and decodes keeping ``_`` (see
  :mod:`translate_pipeline.translation.engine`).
- ``bpe.model`` (Moses tokenization plus subword-nmt BPE, found in some older or converted
  packages): argostranslate's own ``BPETokenizer``, imported only for such a package; without
  argostranslate installed that package gives a clear :class:`PackageError`.
"""

from __future__ import annotations

from pathlib import Path

from translate_pipeline.errors import PackageError

__all__ = ["SentencePieceTokenizer", "bpe_tokenizer"]


class SentencePieceTokenizer:
    """A package's SentencePiece model, loaded on first use."""

    def __init__(self, model_file: Path):
        self.model_file = model_file
        self._processor = None

    def lazy_processor(self):
        if self._processor is None:
            import sentencepiece

            self._processor = sentencepiece.SentencePieceProcessor(model_file=str(self.model_file))
        return self._processor

    def encode(self, sentence: str) -> list[str]:
        return self.lazy_processor().encode(sentence, out_type=str)

    def decode(self, tokens: list[str]) -> str:
        return self.lazy_processor().decode_pieces(tokens).replace("\u2581", " ")


def bpe_tokenizer(name: str, model_file: Path, from_code: str, to_code: str):
    """argostranslate's ``BPETokenizer`` for a ``bpe.model`` package (``name`` for the error)."""
    try:
        from argostranslate.tokenizer import BPETokenizer
    except ImportError:
        raise PackageError(
            name, "uses a BPE tokenizer (bpe.model), which needs argostranslate: "
            "pip install -e '.[argos]' in the translate-pipeline checkout (or pip install "
            "argostranslate)"
        ) from None
    return BPETokenizer(model_file, from_code, to_code)
