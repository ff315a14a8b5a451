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


def scan(
    path: str | os.PathLike[str],
    *,
    timings: bool = False,
    output_dir: str | os.PathLike[str] | None = None,
    **options: Any,
) -> Report:
    """Scan a folder of articles (or a JSONL file) and return the report.

    Mirrors ``syndicate scan``: every CLI option is a keyword here, in snake_case
    (``threshold=0.6``, ``num_perm=256``, ``metadata_file="meta.csv"``, ``use_dates=False``).
    ``engine="spark"`` (with ``spark_master="local[2]"`` or a cluster URL) runs the same
    stages as Spark jobs and gives the same report; it also reads JSONL and Parquet
    datasets, and with ``output_dir`` writes documents, pairs and clusters there as JSONL
    (see ``docs/spark.md``).

    Raises:
        InputError: the path is missing or holds no readable article.
        ConfigError: an unknown option or a value out of range.
        DependencyError: ``engine="spark"`` without PySpark installed.
    """
    from .config import build_config

    config = build_config(**options)
    if config.engine == "spark":
        from .backends import spark

        return spark.run(os.fspath(path), config, timings=timings, output_dir=output_dir)
    if output_dir is not None:
        raise ConfigError(f"output_dir is written by the spark engine only; got engine {config.engine!r}")
    from .pipeline import run

    return run(os.fspath(path), config, timings=timings)


__all__ = ["ConfigError", "DependencyError", "InputError", "Report", "SyndicateError", "__version__", "scan", "schema"]
