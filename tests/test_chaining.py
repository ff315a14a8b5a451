"""Issue 2 acceptance: a one-event scrape with page chrome left in must not chain.

"On a few hundred scraped articles about one event, with page chrome left in, no giant
chained cluster may form; each cluster is explained by content its members share."

The corpus (``benchmarks.scrape``, seeded, no external data) holds 120 articles about
one event on 10 made-up sites: mostly independent articles that share the event's
names, numbers and public quotes, plus 6 real copy families (verbatim copies,
excerpts, lifted paragraphs). Every page keeps its site's chrome. The full-size
version (300 articles) is measured by ``benchmarks.scrape.run_scrape``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import syndicate
from benchmarks.scrape import (
    EXPLAINED_MIN_SHINGLES,
    ScrapeConfig,
    evaluate_scrape,
    generate_scrape,
    load_scrape,
    shared_text,
)


@pytest.fixture(scope="module")
def scrape(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("scrape")
    generate_scrape(out, ScrapeConfig(size=120, families=6, seed=0))
    report = dict(syndicate.scan(out / "docs").to_dict())
    return out, report


# Known failure (see benchmarks/RESULTS.md, "One-event scrape"). Fixed so far: a 44-word
# comment-policy blurb on every page of one CMS linked all 120 pages into one cluster
# (long recurring lines on pages that share nothing else are now chrome); sentences cast
# from one pattern with other names and numbers were aligned as rewrites (details must
# agree); shared public quotes plus their attribution counted as lifted narration (words
# inside quotations now count apart); lifted-passage links chained through a third page
# (they now need a triangle); a stock sentence bridged across swapped names counted as a
# verbatim passage (now split there when every piece is short). Largest cluster 23 -> 7.
# Still failing: a page whose fact sentence matches a family member's almost word for
# word, plus a shared quote and two re-worded fact sentences, reads as a rewrite and joins
# that family. strict=True: once syndicate passes a test, the XPASS fails the suite, so
# the marker is removed.
CHAINING_XFAIL = pytest.mark.xfail(
    strict=True,
    reason="issue 2: a few independent pages of the one-event scrape still join a copy family through "
    "near-verbatim stock fact sentences (see benchmarks/RESULTS.md)",
)


def _show(items: list[Any]) -> str:
    return json.dumps(items[:3], indent=1)[:3000]


def test_scrape_truth_is_what_it_claims(scrape: tuple[Path, dict[str, Any]]) -> None:
    out, _ = scrape
    truth = load_scrape(out)
    assert len(truth.documents) == 120
    fam_sizes: dict[int, int] = {}
    for f in truth.family.values():
        fam_sizes[f] = fam_sizes.get(f, 0) + 1
    assert sum(1 for n in fam_sizes.values() if n >= 2) == 6
    # Independent articles of one event share quotes or facts, and pages of one site
    # share chrome: the corpus is hard in the intended way.
    singles = [d for d in truth.documents if fam_sizes[truth.family[d]] == 1]
    same_site = [(a, b) for a in singles[:20] for b in singles[:20] if a < b and a[:3] == b[:3]]
    assert any(shared_text(truth, a, b)["chrome"] > 20 for a, b in same_site)
    assert any(shared_text(truth, a, b)["quote"] > 10 for a in singles[:10] for b in singles[10:20])


@CHAINING_XFAIL
def test_no_cluster_mixes_families_without_shared_text(scrape: tuple[Path, dict[str, Any]]) -> None:
    out, report = scrape
    result = evaluate_scrape(out, report)
    bad = [m for m in result["mixed"] if m["unexplained_pairs"]]
    assert not bad, (
        f"{len(bad)} clusters mix true families whose members share fewer than "
        f"{EXPLAINED_MIN_SHINGLES} non-chrome word 5-grams; sizes "
        f"{sorted((m['size'] for m in bad), reverse=True)[:10]}; examples:\n"
        + _show([{k: m[k] for k in ("size", "families", "unexplained_examples")} for m in bad])
    )


def test_largest_cluster_no_bigger_than_largest_family_plus_one(
    scrape: tuple[Path, dict[str, Any]],
) -> None:
    out, report = scrape
    result = evaluate_scrape(out, report)
    assert result["largest_cluster"] <= result["largest_true_family"] + 1, (
        f"largest cluster {result['largest_cluster']} of {result['documents']} documents; "
        f"largest true family {result['largest_true_family']}; {result['clusters']} clusters, "
        f"ARI {result['ari']:.3f}, reuse-pair precision {result['precision']:.3f}"
    )


def test_no_reuse_pair_links_independent_articles_by_chrome(
    scrape: tuple[Path, dict[str, Any]],
) -> None:
    out, report = scrape
    result = evaluate_scrape(out, report)
    links = result["chrome_link_examples"]
    assert result["chrome_links"] == 0, (
        f"{result['chrome_links']} reuse pairs link articles of different true families "
        "by chrome (they share only chrome, or a reported passage lies mostly in site "
        f"chrome); false pairs by what they share: {result['false_pairs_by_shared']}; "
        "examples:\n" + _show(links)
    )
