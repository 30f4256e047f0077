"""Test-support code shared by test modules (imported as ``from support.xxx import ...``)."""
