"""Thin click layer: parse options, call the API, map errors to exit codes.

Exit codes: 0 report written; 1 reuse found with ``--fail-on-match``; 2 usage
error; 3 input or processing error.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from . import __version__
from .errors import SyndicateError


def _fail(message: str, code: int) -> None:
    click.echo(f"syndicate: error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syndicate")
def main() -> None:
    """Find articles that share text: which pairs, which passages, who copied whom."""


@main.command()
@click.argument("path", type=click.Path(path_type=str))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), help="Write the report here (atomically) instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True, help="JSON report, or a short summary for a terminal.")
@click.option("--metadata", "metadata_file", type=click.Path(dir_okay=False, path_type=str), help="Sidecar CSV/JSONL keyed by file name adding title/publisher/published/url/author.")
@click.option("--threshold", type=float, help="Jaccard threshold of the MinHash LSH channel.  [default: 0.5]")
@click.option("--num-perm", type=int, help="MinHash permutations.  [default: 128]")
@click.option("--seed", type=int, help="MinHash permutation seed.  [default: 1]")
@click.option("--shingle-size", "n", type=int, help="Words per shingle.  [default: 5]")
@click.option("--max-bytes", type=int, help="Skip files larger than this.  [default: 5000000]")
@click.option("--near-duplicate-jaccard", type=float, help="Jaccard for near_duplicate.  [default: 0.8]")
@click.option("--containment", type=float, help="Containment of the smaller document for containment.  [default: 0.8]")
@click.option("--partial-min-words", type=int, help="Shared narration words for partial_reuse.  [default: 40]")
@click.option("--paraphrase-min-score", type=float, help="Rewrite evidence for paraphrase.  [default: 3.0]")
@click.option("--no-dates", "no_dates", is_flag=True, help="Do not use publication dates as direction evidence.")
@click.option("--jobs", type=int, help="Worker processes; 0 = every core.  [default: 0]")
@click.option("--engine", type=click.Choice(["local", "spark"]), help="Execution engine; the report is the same.  [default: local]")
@click.option("--spark-master", help="Spark master URL for --engine spark (local[2], spark://host:7077, yarn).  [default: spark-submit's, else local[*]]")
@click.option("--partitions", type=int, help="Spark partitions of the document data; 0 = Spark's default parallelism.  [default: 0]")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=str), help="With --engine spark: also write documents, pairs, clusters as JSONL folders here.")
@click.option("--timings", is_flag=True, help="Add seconds per stage to stats (the report is then not byte-reproducible).")
@click.option("--fail-on-match", is_flag=True, help="Exit with code 1 when any reuse pair is found.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def scan(path: str, output: str | None, output_dir: str | None, fmt: str, no_dates: bool, timings: bool, fail_on_match: bool, quiet: bool, debug: bool, **options: Any) -> None:
    """Scan PATH (a folder of .txt/.md/.html/.json/.jsonl articles, or one JSONL file).

    With --engine spark PATH may also be a Parquet dataset (columns id, text, and
    optionally title, url, publisher, published).

    Writes the JSON report (or with --format text a summary) to stdout or --output.
    """
    from . import scan as api_scan
    from .report import write_atomic

    options["use_dates"] = False if no_dates else None
    options["progress"] = not quiet and sys.stderr.isatty()
    try:
        report = api_scan(path, timings=timings, output_dir=output_dir, **options)
        chunks = report.json_chunks() if fmt == "json" else iter([report.to_text()])
        if output:
            write_atomic(output, chunks)
        else:
            for chunk in chunks:
                sys.stdout.write(chunk)
            sys.stdout.flush()
    except SyndicateError as exc:
        if debug:
            raise
        _fail(str(exc), exc.exit_code)
    except OSError as exc:
        if debug:
            raise
        _fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), 3)
    except Exception as exc:  # a bug: one line unless --debug
        if debug:
            raise
        _fail(f"internal error ({type(exc).__name__}: {exc}); rerun with --debug for the traceback", 3)
    if fail_on_match and report.reuse_pairs():
        sys.exit(1)


@main.command()
def schema() -> None:
    """Print the JSON Schema of the report."""
    from .report import schema as load

    click.echo(json.dumps(load(), indent=2))


if __name__ == "__main__":
    main()
