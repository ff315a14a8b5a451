"""Errors raised by syndicate.

The tree::

    SyndicateError                 base class; the CLI maps it to exit code 3
    ├── ConfigError                a parameter is out of range (CLI: exit code 2)
    ├── InputError                 the input path is missing or holds no readable article
    └── DependencyError            an optional extra (e.g. pyspark) is not installed

Messages say what is wrong, the value given, and how to fix it.
"""

from __future__ import annotations


class SyndicateError(Exception):
    """Base class of every error syndicate raises on purpose."""

    exit_code = 3


class ConfigError(SyndicateError):
    """A parameter is out of range or inconsistent."""

    exit_code = 2


class InputError(SyndicateError):
    """The input cannot be read or holds no readable article."""

    exit_code = 3


class DependencyError(SyndicateError):
    """An optional dependency is missing."""

    exit_code = 3
