"""The version, in a module of its own so that any module can import it without importing the
package's public API (``translate_pipeline/__init__.py``)."""

__version__ = "0.2.0"
