"""A dictionary test model: a real Argos package whose translation the tests know word by word.

The random packages of :mod:`support.testmodel` give stable gibberish: a test sees that
something was translated, not that the right thing was. A package built here is just as real (a
zip with ``metadata.json``, a SentencePiece tokenizer trained like theirs, a CTranslate2
Transformer run by CTranslate2 itself), but its weights are set by hand so that it translates
**piece by piece**: each source piece becomes the same piece with its ASCII letters rotated by
``shift`` (``▁Rat`` -> ``▁Sbu`` for shift 1), a made-up target language; ``<unk>``, ``<s>`` and
``</s>`` stay as they are, and a character the tokenizer does not know comes back unchanged
(CTranslate2's ``replace_unknowns``). So ``Der Rat tagt.`` translates to exactly ``Efs Sbu ubhu.``,
and :meth:`DictionaryPackage.translate` says, without CTranslate2, what any text must become.

How the weights do it (1+1 layers, one head, ``d_model`` 128 = 64 token dims + 64 position dims):

- **Token subspace** (dims ``0..63``): the encoder embedding of piece ``i`` is its *code*, a
  distinct balanced ±1 vector (32 of each sign), scaled to norm 1.5. Distinct codes are as good
  as one-hots here (the output layer picks the code that matches best, and a distinct code
  matches itself best), and need 64 dims where one-hots need the vocabulary's 400, which makes
  each decoding step ~8x cheaper. The decoder embeddings are zero: the decoder needs to know
  where it is, not what it said.
- **Position subspace** (dims ``64..127``): learned position tables, the same for encoder and
  decoder, hold ``cos(θk·t), sin(θk·t), -cos(θk·t), -sin(θk·t)`` for 16 frequencies
  ``θk = π / 1.2333^k``. The dot product of rows ``t`` and ``s`` is ``2·Σk cos(θk·(t-s))``:
  32 at ``s = t`` and at least ~16 less anywhere else within 1,200 positions. Every row and
  every code sums to zero and has the same norm, so every layer norm is the same affine map at
  every position, whatever the content.
- **Cross-attention** at decoder step ``t``: query and key projections read only the position
  subspace, scaled so that the right source position scores ``ATTENTION_GAP`` (40) more than
  any other (softmax weight ``e^-40`` elsewhere): step ``t`` attends to source position ``t``.
  The value and output projections copy the token subspace, so the attended piece's code lands
  in the decoder's residual stream.
- Self-attention and feed-forward blocks are zero: they add nothing to the residual stream.
- **Output layer**: target piece ``i`` is source piece ``i`` mapped (the target vocabulary is
  the source vocabulary, mapped), and its row is piece ``i``'s code, scaled so that the
  attended piece's own target wins by ``LOGIT_GAP`` (40). ``<s>`` is never produced.
- The config sets ``add_source_eos``: the source ends with ``</s>``, which is what step ``n``
  of an ``n``-piece input attends to, and ``</s>`` maps to itself, so decoding stops there.

It works in float32 and int8, greedy and beam 4, in batches of mixed lengths, for inputs up to
``max_positions - 1`` pieces (the position tables' rows; beyond, CTranslate2 refuses). With
CTranslate2's default ``max_decoding_length=256`` a 600-piece input comes back cut to 256
pieces; with a larger limit, all 600 come back exactly. (Beam search with ``replace_unknowns``,
as the engine decodes, costs CTranslate2 time roughly cubic in the length, in any model: keep beam-4
inputs to a few hundred pieces in tests.)
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from support.testmodel import (
    LANGUAGE_NAMES,
    _ctranslate2_builders,
    package_name,
    train_sentencepiece,
    write_package,
)

__all__ = ["DictionaryPackage", "build_dictionary_package", "shift_letters", "SPECIAL_PIECES"]

#: Pieces that map to themselves.
SPECIAL_PIECES = ("<unk>", "<s>", "</s>")
DEFAULT_POSITIONS = 1100  # rows of both position tables: inputs of up to 1,099 pieces
ATTENTION_GAP = 40.0  # score of the right source position minus the best wrong one
LOGIT_GAP = 40.0  # logit of the mapped piece minus any other
_FREQUENCIES = 16
_FREQUENCY_RATIO = 1.2333  # θk = π / ratio^k: a margin of ~16 (of 32) up to 1,200 positions
_TOKEN_SCALE = 1.5  # norm of a piece's code in the encoder's residual stream
_CODE_SIZE = 64  # dims of a piece's code


def shift_letters(text: str, shift: int) -> str:
    """``text`` with its ASCII letters rotated by ``shift`` (a Caesar cipher); the rest as is."""
    out = []
    for char in text:
        if "a" <= char <= "z":
            char = chr((ord(char) - 97 + shift) % 26 + 97)
        elif "A" <= char <= "Z":
            char = chr((ord(char) - 65 + shift) % 26 + 65)
        out.append(char)
    return "".join(out)


def _map_piece(piece: str, shift: int) -> str:
    return piece if piece in SPECIAL_PIECES else shift_letters(piece, shift)


@dataclass(frozen=True)
class DictionaryPackage:
    """A built dictionary package (``path``, an ``.argosmodel``) and its oracle."""

    path: Path
    from_code: str
    to_code: str
    shift: int
    max_positions: int
    sentencepiece_model: bytes = field(repr=False)

    @functools.cached_property
    def _processor(self):
        import sentencepiece

        return sentencepiece.SentencePieceProcessor(model_proto=self.sentencepiece_model)

    @property
    def vocabulary(self) -> list[str]:
        """The source pieces, by id."""
        sp = self._processor
        return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]

    def whole_words(self) -> list[str]:
        """The words of ASCII letters that are one piece each (``▁der`` -> ``der``), sorted: text
        made of them costs the model one decoding step a word."""
        return sorted(p[1:] for p in self.vocabulary
                      if p.startswith("\u2581") and len(p) > 2 and p[1:].isascii()
                      and p[1:].isalpha())

    def pieces(self, text: str) -> list[str]:
        """``text`` as the package's tokenizer cuts it."""
        return self._processor.encode(text, out_type=str)

    def translate_pieces(self, pieces: list[str]) -> list[str]:
        """What the model outputs for ``pieces``: each one mapped, an unknown one unchanged."""
        sp = self._processor
        unknown = sp.unk_id()
        return [p if sp.piece_to_id(p) == unknown and p != "<unk>" else _map_piece(p, self.shift)
                for p in pieces]

    def translate(self, text: str) -> str:
        """What the pipeline's engine must make of ``text``: its pieces mapped and joined, with
        ``▁`` as a space and the leading space dropped."""
        joined = "".join(self.translate_pieces(self.pieces(text))).replace("\u2581", " ")
        return joined[1:] if joined.startswith(" ") else joined


def _position_table(rows: int, offset: int, d_model: int) -> np.ndarray:
    theta = math.pi / _FREQUENCY_RATIO ** np.arange(_FREQUENCIES)
    angles = np.arange(rows, dtype=np.float64)[:, None] * theta[None, :]
    table = np.zeros((rows, d_model), dtype=np.float32)
    block = np.concatenate([np.cos(angles), np.sin(angles), -np.cos(angles), -np.sin(angles)],
                           axis=1)
    table[:, offset:offset + 4 * _FREQUENCIES] = block
    return table


def _position_margin(rows: int) -> float:
    """min over 0 < |t - s| < rows of K - Σk cos(θk (t - s)): how much less a wrong position
    scores than the right one (per unit of the kernel)."""
    theta = math.pi / _FREQUENCY_RATIO ** np.arange(_FREQUENCIES)
    deltas = np.arange(1, rows, dtype=np.float64)
    return float(_FREQUENCIES - np.cos(np.outer(deltas, theta)).sum(axis=1).max())


def _layer_norm(spec, d: int) -> None:
    spec.gamma = np.ones(d, dtype=np.float32)
    spec.beta = np.zeros(d, dtype=np.float32)


def _linear(spec, out_dim: int, in_dim: int, weight: np.ndarray | None = None) -> None:
    spec.weight = np.zeros((out_dim, in_dim), dtype=np.float32) if weight is None else weight
    spec.bias = np.zeros(out_dim, dtype=np.float32)


def _token_codes(count: int, seed: int) -> np.ndarray:
    """``count`` distinct balanced ±1 codes of ``_CODE_SIZE`` dims (as many +1 as -1)."""
    rng = np.random.default_rng(seed)
    half = np.repeat(np.array([1.0, -1.0], dtype=np.float32), _CODE_SIZE // 2)
    codes = np.stack([rng.permutation(half) for _ in range(count)])
    if len({row.tobytes() for row in codes}) != count:
        raise ValueError("two pieces drew the same code; try another seed")
    return codes


def build_spec(vocabulary: list[str], shift: int, *, max_positions: int = DEFAULT_POSITIONS,
               seed: int = 0):
    """The ``TransformerSpec`` described in the module docstring."""
    transformer_spec, _ = _ctranslate2_builders()
    for token in SPECIAL_PIECES:
        if token not in vocabulary:
            raise ValueError(f"the vocabulary has no {token}")
    targets = [_map_piece(p, shift) for p in vocabulary]
    if len(set(targets)) != len(targets):
        raise ValueError(f"shift {shift} maps two pieces to the same target piece")
    vocab, m = len(vocabulary), _CODE_SIZE
    pos = m  # first dim of the position subspace
    d = m + 4 * _FREQUENCIES
    ffn = 16
    codes = _token_codes(vocab, seed)
    unit_codes = codes / math.sqrt(m)

    spec = transformer_spec.TransformerSpec.from_config((1, 1), 1)
    spec.config.add_source_eos = True
    encoder, decoder = spec.encoder, spec.decoder
    table = _position_table(max_positions, pos, d)

    def zero_blocks(layer) -> None:  # self-attention and feed-forward: nothing added
        _layer_norm(layer.self_attention.layer_norm, d)
        _linear(layer.self_attention.linear[0], 3 * d, d)
        _linear(layer.self_attention.linear[1], d, d)
        _layer_norm(layer.ffn.layer_norm, d)
        _linear(layer.ffn.linear_0, ffn, d)
        _linear(layer.ffn.linear_1, d, ffn)

    # Encoder: x_s = a·code(piece) + P(s), mean 0, the same norm everywhere; out = x_s / std.
    embeddings = np.zeros((vocab, d), dtype=np.float32)
    embeddings[:, :m] = _TOKEN_SCALE * unit_codes / math.sqrt(d)  # CTranslate2 scales by sqrt(d)
    encoder.embeddings[0].weight = embeddings
    encoder.position_encodings.encodings = table
    (layer,) = encoder.layer
    zero_blocks(layer)
    _layer_norm(encoder.layer_norm, d)
    eps = 1e-6
    encoder_std = math.sqrt((_TOKEN_SCALE ** 2 + 2 * _FREQUENCIES) / d + eps)
    decoder_std = math.sqrt(2 * _FREQUENCIES / d + eps)

    # Decoder: x_t = P(t); cross-attention adds the attended piece's code.
    decoder.embeddings.weight = np.zeros((vocab, d), dtype=np.float32)
    decoder.position_encodings.encodings = table
    (layer,) = decoder.layer
    zero_blocks(layer)
    attention = layer.attention
    _layer_norm(attention.layer_norm, d)
    # score = q·k / sqrt(d) = scale · P(t)·P(s) / (std_dec · std_enc · sqrt(d)), and
    # P(t)·P(s) is 2K at s = t, at least 2·margin less elsewhere.
    margin = _position_margin(max_positions)
    scale = ATTENTION_GAP * decoder_std * encoder_std * math.sqrt(d) / (2 * margin)
    span = np.arange(pos, d)
    query = np.zeros((d, d), dtype=np.float32)
    query[span, span] = math.sqrt(scale)
    key_value = np.zeros((2 * d, d), dtype=np.float32)
    key_value[span, span] = math.sqrt(scale)
    tokens = np.arange(m)
    key_value[d + tokens, tokens] = 1.0
    output = np.zeros((d, d), dtype=np.float32)
    output[tokens, tokens] = 1.0
    _linear(attention.linear[0], d, d, query)
    _linear(attention.linear[1], 2 * d, d, key_value)
    _linear(attention.linear[2], d, d, output)
    _layer_norm(decoder.layer_norm, d)

    # Output: x = P(t) + (a / std_enc)·unit code, normalised by std_final; the logit of target
    # i is w·unit_code_i·LN(x), highest for the attended piece's own code by (1 - best cosine).
    carried = _TOKEN_SCALE / encoder_std
    final_std = math.sqrt((2 * _FREQUENCIES + carried ** 2) / d + eps)
    similarity = unit_codes @ unit_codes.T
    np.fill_diagonal(similarity, -1.0)
    weight = LOGIT_GAP / ((1.0 - float(similarity.max())) * carried / final_std)
    projection = np.zeros((vocab, d), dtype=np.float32)
    projection[:, :m] = weight * unit_codes
    bias = np.zeros(vocab, dtype=np.float32)
    bias[vocabulary.index("<s>")] = -1000.0
    decoder.projection.weight, decoder.projection.bias = projection, bias

    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(targets)
    return spec


def build_dictionary_package(out_dir: Path, from_code: str, to_code: str, *, shift: int = 1,
                             vocab_size: int = 400, max_positions: int = DEFAULT_POSITIONS,
                             quantization: str | None = None, version: str = "1.0",
                             seed: int = 0, declared_limit: int | None = None
                             ) -> DictionaryPackage:
    """Write ``translate-<from>_<to>-<version>.argosmodel`` into ``out_dir``; see the module
    docstring. ``declared_limit``, when given, goes into ``metadata.json`` as
    ``max_input_length`` (the longest input, in pieces, the package says it takes)."""
    import sentencepiece as spm

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sp_model = train_sentencepiece(vocab_size, seed=seed)
    processor = spm.SentencePieceProcessor(model_proto=sp_model)
    vocabulary = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    metadata = {
        "package_version": version,
        "argos_version": "1.0",
        "from_code": from_code,
        "from_name": LANGUAGE_NAMES.get(from_code, from_code),
        "to_code": to_code,
        "to_name": LANGUAGE_NAMES.get(to_code, to_code),
        "type": "translate",
    }
    if declared_limit is not None:
        metadata["max_input_length"] = declared_limit
    readme = (
        f"# {metadata['from_name']} -> {metadata['to_name']} (dictionary test model)\n\n"
        "Built by tests/support/dictionary_model.py: translates piece by piece, each piece's "
        f"ASCII letters rotated by {shift}. Not for real translation.\n\n"
        f"vocab={len(vocabulary)} max_positions={max_positions} "
        f"quantization={quantization or 'float32'} seed={seed}\n"
    )
    files = {
        "metadata.json": json.dumps(metadata, indent=2, ensure_ascii=False).encode(),
        "README.md": readme.encode(),
        "sentencepiece.model": sp_model,
    }
    path = write_package(out_dir, package_name(from_code, to_code, version), files,
                         lambda: build_spec(vocabulary, shift, max_positions=max_positions,
                                                            seed=seed + 1),
                         quantization=quantization)
    return DictionaryPackage(path, from_code, to_code, shift, max_positions, sp_model)
