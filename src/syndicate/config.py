"""One frozen config per stage, validated when built; ``RunConfig`` holds them all.

Each stage function receives only its own config. Every field is recorded in
the report's ``parameters`` so a run can be reproduced.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .errors import ConfigError


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise ConfigError(message)


def _unit(name: str, value: float, *, closed_low: bool = False) -> None:
    ok = (0.0 <= value <= 1.0) if closed_low else (0.0 < value <= 1.0)
    bracket = "[0, 1]" if closed_low else "(0, 1]"
    _check(ok, f"{name} must be in {bracket}; got {value!r}")


@dataclass(frozen=True, slots=True)
class IngestConfig:
    """Reading the input folder.

    Attributes:
        max_bytes: files larger than this are skipped with reason ``too_large``.
        fallback_encoding: tried when UTF-8 fails (recorded per document).
        metadata_file: optional sidecar CSV/JSONL keyed by file name (relative path or
            id) that adds title/publisher/published/url/author to plain-text files.
        extensions: file extensions read (others are listed as ``unsupported``).
    """

    max_bytes: int = 5_000_000
    fallback_encoding: str = "cp1252"
    metadata_file: str | None = None
    extensions: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")

    def __post_init__(self) -> None:
        _check(self.max_bytes > 0, f"max_bytes must be positive; got {self.max_bytes!r}")
        _check(self.max_bytes < 2**31, f"max_bytes must be below 2147483648 (character offsets are 32-bit); got {self.max_bytes!r}")


@dataclass(frozen=True, slots=True)
class BoilerplateConfig:
    """Publisher chrome removal.

    Attributes:
        min_docs: a line recurring in at least this many documents is a chrome candidate.
        max_line_words: ... if it has at most this many words (prose paragraphs are
            never stripped by recurrence; shared prose is what we detect).
        max_block_coverage: recurring lines are grouped into blocks by the set of
            documents they occur in; a block is chrome only if it covers less than this
            share of those documents' text (a syndicated story recurs as a whole; a
            site's chrome is a small part of pages that otherwise differ).
        use_patterns: also strip lines matching the built-in list of known chrome.
    """

    min_docs: int = 3
    max_line_words: int = 20
    max_block_coverage: float = 0.5
    use_patterns: bool = True

    def __post_init__(self) -> None:
        _check(self.min_docs >= 2, f"min_docs must be >= 2; got {self.min_docs!r}")
        _check(self.max_line_words >= 1, f"max_line_words must be >= 1; got {self.max_line_words!r}")
        _unit("max_block_coverage", self.max_block_coverage)


@dataclass(frozen=True, slots=True)
class ShingleConfig:
    """Word n-gram shingles.

    Attributes:
        n: words per shingle.
    """

    n: int = 5

    def __post_init__(self) -> None:
        _check(1 <= self.n <= 20, f"shingle size n must be in [1, 20]; got {self.n!r}")


@dataclass(frozen=True, slots=True)
class SketchConfig:
    """MinHash signatures (datasketch-compatible, scheme pinned).

    Attributes:
        num_perm: permutations per signature.
        seed: seed of the permutations (datasketch's ``seed``).
        scheme: datasketch permutation scheme; only ``"affine64"`` is implemented in bulk.
    """

    num_perm: int = 128
    seed: int = 1
    scheme: str = "affine64"

    def __post_init__(self) -> None:
        _check(8 <= self.num_perm <= 1024, f"num_perm must be in [8, 1024]; got {self.num_perm!r}")
        _check(self.scheme == "affine64", f"scheme must be 'affine64'; got {self.scheme!r}")


@dataclass(frozen=True, slots=True)
class CandidateConfig:
    """Candidate generation (never all-pairs).

    Attributes:
        threshold: Jaccard threshold of the MinHash LSH channel.
        lsh_weights: (false positive, false negative) weights used to choose bands and
            rows; weighted towards recall.
        anchor_mod: the shared-passage channel indexes shingles whose hash is 0 modulo
            this (1 = every shingle).
        anchor_max_df: anchors in more documents than this are pruned (chrome, stock
            phrases); the number pruned is reported.
        min_shared_anchors: pairs sharing at least this many anchors are candidates.
        tfidf_top_terms: paraphrase channel: each document is indexed by its this many
            highest-weighted TF-IDF terms.
        tfidf_max_df: terms in more documents than this are not used for blocking.
        tfidf_neighbors: nearest neighbours kept per document in the paraphrase channel.
        tfidf_min_cosine: minimum cosine of a paraphrase-channel candidate.
        max_bucket: LSH buckets larger than this are split into neighbouring runs
            (caps pathological buckets).
        verify_min_cosine: a candidate is fully verified (passages, alignment) only if
            its TF-IDF cosine reaches this, or it shares enough shingles to be partial
            reuse; the rest (stock phrases shared by unrelated articles) are dropped.
            Measured on the 1k benchmark corpus: no reported pair lies below 0.10, and
            the filter skips about 75% of candidates.
    """

    threshold: float = 0.5
    lsh_weights: tuple[float, float] = (0.2, 0.8)
    anchor_mod: int = 2
    anchor_max_df: int = 50
    min_shared_anchors: int = 3
    tfidf_top_terms: int = 40
    tfidf_max_df: int = 200
    tfidf_neighbors: int = 10
    tfidf_min_cosine: float = 0.2
    max_bucket: int = 200
    verify_min_cosine: float = 0.1

    def __post_init__(self) -> None:
        _unit("threshold", self.threshold)
        _unit("verify_min_cosine", self.verify_min_cosine, closed_low=True)
        _check(self.anchor_mod >= 1, f"anchor_mod must be >= 1; got {self.anchor_mod!r}")
        _check(self.anchor_max_df >= 2, f"anchor_max_df must be >= 2; got {self.anchor_max_df!r}")
        _check(self.min_shared_anchors >= 1, f"min_shared_anchors must be >= 1; got {self.min_shared_anchors!r}")
        _check(self.tfidf_top_terms >= 1, f"tfidf_top_terms must be >= 1; got {self.tfidf_top_terms!r}")
        _check(self.tfidf_neighbors >= 1, f"tfidf_neighbors must be >= 1; got {self.tfidf_neighbors!r}")
        _unit("tfidf_min_cosine", self.tfidf_min_cosine, closed_low=True)
        _check(self.max_bucket >= 2, f"max_bucket must be >= 2; got {self.max_bucket!r}")


@dataclass(frozen=True, slots=True)
class AlignConfig:
    """Shared passages.

    Attributes:
        min_verbatim_words: shortest verbatim passage reported.
        max_gap_words: a verbatim passage tolerates this many changed words.
        sentence_min_sim: minimum sentence similarity of a paraphrase alignment.
        sentence_min_excess: ... and how far it must stand above the sentence's usual
            similarity to other documents on the same event.
        sentence_min_rare_phrases: or: rarity-weighted rare phrases the two sentences share
            (a phrase in only these two documents weighs 1) ...
        sentence_floor_sim: ... with at least this similarity.
        sentence_min_detail_agreement: aligned sentences must share at least this share
            of the details (numbers, names) of the one with fewer (0 turns the check off).
            Measured on the one-event scrape (``benchmarks.scrape``): sentences cast
            from one pattern with other names and numbers were aligned as rewrites.
    """

    min_verbatim_words: int = 8
    max_gap_words: int = 4
    sentence_min_sim: float = 0.35
    sentence_min_excess: float = 0.12
    sentence_min_rare_phrases: float = 1.0
    sentence_floor_sim: float = 0.15
    sentence_min_detail_agreement: float = 0.5

    def __post_init__(self) -> None:
        _check(self.min_verbatim_words >= 2, f"min_verbatim_words must be >= 2; got {self.min_verbatim_words!r}")
        _check(self.max_gap_words >= 0, f"max_gap_words must be >= 0; got {self.max_gap_words!r}")
        _unit("sentence_min_sim", self.sentence_min_sim)
        _unit("sentence_min_excess", self.sentence_min_excess, closed_low=True)
        _check(self.sentence_min_rare_phrases > 0, f"sentence_min_rare_phrases must be > 0; got {self.sentence_min_rare_phrases!r}")
        _unit("sentence_floor_sim", self.sentence_floor_sim, closed_low=True)
        _unit("sentence_min_detail_agreement", self.sentence_min_detail_agreement, closed_low=True)


@dataclass(frozen=True, slots=True)
class RelationConfig:
    """Turning scores into one relation per pair.

    Attributes:
        near_duplicate_jaccard: exact shingle Jaccard for ``near_duplicate``.
        containment: containment of the smaller document for ``containment``.
        partial_min_words: narration words in shared verbatim passages for ``partial_reuse``.
        paraphrase_min_score: rewrite evidence needed for ``paraphrase``. The evidence is
            (sentences aligned in order above the event background)
            + ``phrase_weight`` x (rare shared narration phrases per 100)
            + ``exclusive_quote_weight`` x (quoted shingles only this pair shares).
        quote_weight: weight of a quoted word relative to narration in ``partial_reuse``.
        partial_min_run: the longest shared narration passage must reach this share of
            ``partial_min_words`` (a lifted passage is contiguous).
    """

    near_duplicate_jaccard: float = 0.8
    containment: float = 0.8
    partial_min_words: int = 40
    paraphrase_min_score: float = 3.0
    phrase_weight: float = 0.33
    exclusive_quote_weight: float = 0.033
    quote_weight: float = 0.25
    partial_min_run: float = 0.6

    def __post_init__(self) -> None:
        _unit("near_duplicate_jaccard", self.near_duplicate_jaccard)
        _unit("partial_min_run", self.partial_min_run, closed_low=True)
        _unit("containment", self.containment)
        _check(self.partial_min_words >= 1, f"partial_min_words must be >= 1; got {self.partial_min_words!r}")
        _check(self.paraphrase_min_score > 0, f"paraphrase_min_score must be > 0; got {self.paraphrase_min_score!r}")
        _check(self.phrase_weight >= 0, f"phrase_weight must be >= 0; got {self.phrase_weight!r}")
        _check(self.exclusive_quote_weight >= 0, f"exclusive_quote_weight must be >= 0; got {self.exclusive_quote_weight!r}")
        _unit("quote_weight", self.quote_weight, closed_low=True)


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """Clusters over reuse relations.

    Attributes:
        min_overlap: two reuse pairs that share a document join one cluster only if
            their passages in that document overlap by this share of the smaller.
    """

    min_overlap: float = 0.2

    def __post_init__(self) -> None:
        _unit("min_overlap", self.min_overlap)


@dataclass(frozen=True, slots=True)
class LineageConfig:
    """Direction of copying and the derivation tree.

    Attributes:
        use_dates: use publication dates as evidence.
        close_margin: when the root's lead over the runner-up is below this, the
            report says the choice is close.
    """

    use_dates: bool = True
    close_margin: float = 0.15

    def __post_init__(self) -> None:
        _unit("close_margin", self.close_margin, closed_low=True)


@dataclass(frozen=True, slots=True)
class RunConfig:
    """All stage configs plus run-level options."""

    ingest: IngestConfig = field(default_factory=IngestConfig)
    boilerplate: BoilerplateConfig = field(default_factory=BoilerplateConfig)
    shingle: ShingleConfig = field(default_factory=ShingleConfig)
    sketch: SketchConfig = field(default_factory=SketchConfig)
    candidates: CandidateConfig = field(default_factory=CandidateConfig)
    align: AlignConfig = field(default_factory=AlignConfig)
    relation: RelationConfig = field(default_factory=RelationConfig)
    cluster: ClusterConfig = field(default_factory=ClusterConfig)
    lineage: LineageConfig = field(default_factory=LineageConfig)
    jobs: int = 0  # 0 = every core; the report is identical for any value
    progress: bool = False
    engine: str = "local"  # "local" or "spark"; the report is identical for either
    spark_master: str | None = None  # Spark master URL; None = spark-submit's or local[*]
    partitions: int = 0  # Spark partitions of the document data; 0 = Spark's default parallelism

    def __post_init__(self) -> None:
        _check(self.engine in ENGINES, f"engine must be one of {', '.join(ENGINES)}; got {self.engine!r}")
        _check(self.partitions >= 0, f"partitions must be >= 0 (0 = Spark's default); got {self.partitions!r}")

    def to_dict(self) -> dict[str, Any]:
        """Parameters as recorded in the report (run-level options excluded: they do not change it)."""
        d = asdict(self)
        for name in RUN_LEVEL:
            d.pop(name, None)
        return d


ENGINES = ("local", "spark")
# Options of the run, not of the algorithm: never recorded in the report's parameters.
RUN_LEVEL = ("jobs", "progress", "engine", "spark_master", "partitions")


_STAGES: dict[str, type[Any]] = {
    "ingest": IngestConfig,
    "boilerplate": BoilerplateConfig,
    "shingle": ShingleConfig,
    "sketch": SketchConfig,
    "candidates": CandidateConfig,
    "align": AlignConfig,
    "relation": RelationConfig,
    "cluster": ClusterConfig,
    "lineage": LineageConfig,
}


def build_config(**options: Any) -> RunConfig:
    """Build a RunConfig from flat keyword options (``threshold=0.6, num_perm=256``).

    Each option name is a field of exactly one stage config (or a run-level option:
    ``jobs``, ``progress``, ``engine``, ``spark_master``, ``partitions``).

    Raises:
        ConfigError: an unknown option or an out-of-range value.
    """
    per_stage: dict[str, dict[str, Any]] = {s: {} for s in _STAGES}
    run_level: dict[str, Any] = {}
    owners: dict[str, str] = {}
    for stage, cls in _STAGES.items():
        for f in fields(cls):
            owners[f.name] = stage
    for name, value in options.items():
        if value is None:
            continue
        if name in RUN_LEVEL:
            run_level[name] = value
        elif name in owners:
            per_stage[owners[name]][name] = value
        else:
            raise ConfigError(f"unknown option {name!r}; see `syndicate scan --help`")
    built: dict[str, Any] = {}
    for stage, cls in _STAGES.items():
        try:
            built[stage] = cls(**per_stage[stage])
        except TypeError as exc:  # wrong type for a field
            raise ConfigError(f"bad option for {stage}: {exc}") from None
    if "jobs" in run_level:
        _check(int(run_level["jobs"]) >= 0, f"jobs must be >= 0 (0 = every core); got {run_level['jobs']!r}")
    try:
        return RunConfig(**built, **run_level)
    except TypeError as exc:
        raise ConfigError(f"bad run option: {exc}") from None
