"""syndicate: find articles that share text, the passages, who copied whom, and the original.

Example:
    >>> import syndicate
    >>> report = syndicate.scan("seeds/")            # doctest: +SKIP
    >>> [(p["a"], p["b"], p["relation"]) for p in report.reuse_pairs()]  # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import Any

__version__ = "0.1.0"

from .errors import ConfigError, DependencyError, InputError, SyndicateError
from .report import Report, schema


def scan(path: str | os.PathLike[str], *, timings: bool = False, **options: Any) -> Report:
    """Scan a folder of articles (or a JSONL file) and return the report.

    Mirrors ``syndicate scan``: every CLI option is a keyword here, in snake_case
    (``threshold=0.6``, ``num_perm=256``, ``metadata_file="meta.csv"``, ``use_dates=False``).

    Raises:
        InputError: the path is missing or holds no readable article.
        ConfigError: an unknown option or a value out of range.
    """
    from .config import build_config
    from .pipeline import run

    return run(os.fspath(path), build_config(**options), timings=timings)


__all__ = ["ConfigError", "DependencyError", "InputError", "Report", "SyndicateError", "__version__", "scan", "schema"]
