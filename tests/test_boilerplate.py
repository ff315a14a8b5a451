from __future__ import annotations

from syndicate.boilerplate import match_pattern, recurring_lines, strip
from syndicate.config import BoilerplateConfig
from syndicate.normalize import normalize


def test_known_patterns() -> None:
    for line in ("Get all your news in one place.", "Sign up to read this article", "Related Stories",
                 "2 min read", "Already a member? Sign in here", "Enter City and State or Zip Code", "interbellumnews.com"):
        assert match_pattern(line), line
    for line in ("Related stories about the summit were published on Monday by several outlets.",
                 "NATO allies are required to spend 2% of their GDP on defence."):
        assert match_pattern(line) is None, line


def test_recurring_chrome_stripped_but_syndicated_story_kept() -> None:
    story = [f"Paragraph {k} of the wire story about the harbour strike and its effects on trade." for k in range(8)]
    chrome = ["Subscribe to the Daily Gazette", "Weather: sunny spells"]
    own = [f"Local angle number {d}: the council met on {d} March to discuss {d} new bus routes." for d in range(6)]
    texts = []
    for d in range(6):
        body = [own[d], f"Different opening {d} for a separate story on crops and rainfall in region {d}."]
        texts.append("\n".join([*chrome, *body]) if d < 3 else "\n".join(story))
    chrome_keys = recurring_lines(texts, BoilerplateConfig())
    assert any("weather" in k for k in chrome_keys)
    assert not any("wire story" in k for k in chrome_keys)


def test_strip_blanks_lines_and_reports_original_offsets() -> None:
    original = "Get all your news in one place.\n\nRutte met Trump at the White House.\nRelated Stories\n"
    norm = normalize(original)
    content, stripped = strip(norm, set(), BoilerplateConfig())
    assert len(content) == len(norm.text)
    assert "Rutte met Trump" in content and "Related" not in content
    assert [s.rule for s in stripped] == ["pattern:aggregator_prompt", "pattern:related"]
    for s in stripped:
        assert original[s.start : s.end] == s.text
