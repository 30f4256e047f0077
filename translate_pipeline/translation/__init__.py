"""Stage 5: Argos packages, their tokenizers, the CTranslate2 engine and the translation cache."""
