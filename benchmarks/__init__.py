"""Benchmark harness for syndicate: corpora with known truth, metrics, baselines, runs.

Nothing runs on import. Entry point: ``python -m benchmarks run --sizes 1000,10000``
(see ``python -m benchmarks --help``). Modules:

- :mod:`benchmarks.corpus`: seeded syndication-corpus generator (``basetext``: real
  Reuters/BBC stories read from ``../shared/data``; ``synth``: self-contained text).
- :mod:`benchmarks.truth`: the common ground-truth structure.
- :mod:`benchmarks.loaders`: PAN text alignment, ``a,b,label`` CSV, source/derived folders.
- :mod:`benchmarks.metrics`: pair, cluster, derivation and passage metrics.
- :mod:`benchmarks.baselines`: datasketch tutorial, TF-IDF all pairs, rensa, direction rules,
  the read-and-shingle floor.
- :mod:`benchmarks.run` / :mod:`benchmarks.report`: runs in child processes, results, table, plots.
"""
