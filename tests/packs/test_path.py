"""The learning path the site draws through the packs and orders its cards by."""

from __future__ import annotations

from pathlib import Path

from learnpacks.packs.catalog import load_catalog
from learnpacks.packs.path import LearningPath, Step, learning_path

REPO = Path(__file__).resolve().parents[2]


def test_shipped_packs_lead_from_newcomer_to_editor_to_partner():
    """Does the shipped catalog's path run welcome → policies → licenses → Wikidata → API, with
    sustaining-communities branching from welcome and partnering from the licenses pack?"""
    catalog = load_catalog(REPO)
    path = learning_path({pid: p.meta.prerequisites for pid, p in catalog.packs.items()})
    assert path == LearningPath(
        (
            Step("welcome-to-wikimedia", ("sustaining-communities",)),
            Step("core-content-policies"),
            Step("free-licenses-and-attribution", ("partnering-with-wikimedia",)),
            Step("wikidata-for-beginners"),
            Step("mediawiki-api-basics"),
        )
    )
    assert path.order[:5] == [s.pack_id for s in path.steps]
    assert path.position("core-content-policies") == (2, None)
    assert path.position("partnering-with-wikimedia") == (0, "free-licenses-and-attribution")


def test_a_branch_of_a_branch_follows_it_and_loose_packs_come_last():
    """Does a pack building on a branch come after that branch, and one building on nothing of
    the main line stand apart, each pack exactly once?"""
    path = learning_path(
        {
            "a": [],
            "b": ["a"],
            "c": ["b"],
            "side": ["a"],
            "side-2": ["side"],
            "loose": [],
            "unknown-prereq": ["not-a-pack"],
        }
    )
    assert [s.pack_id for s in path.steps] == ["a", "b", "c"]
    assert path.steps[0].branches == ("side", "side-2")
    assert path.others == ("loose", "unknown-prereq")
    assert sorted(path.order) == sorted(
        ["a", "b", "c", "side", "side-2", "loose", "unknown-prereq"]
    )


def test_ties_follow_the_key_and_a_cycle_does_not_hang():
    """Do equally long chains resolve by the given key, and does a prerequisite cycle (which
    `learnpacks check` reports) still give every pack a place?"""
    tie = learning_path(
        {"x": [], "y": [], "z-end": ["y"], "a-end": ["x"]}, key=lambda p: p != "z-end"
    )
    assert [s.pack_id for s in tie.steps] == ["y", "z-end"]
    cycle = learning_path({"p": ["q"], "q": ["p"], "r": ["q"]})
    assert sorted(cycle.order) == ["p", "q", "r"]
    assert learning_path({}).order == []
