"""The answer-matching rules (learnpacks.widgets.checkers), example cases and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learnpacks.widgets import checkers
from learnpacks.widgets.checkers import (
    WHITESPACE,
    check,
    check_blanks,
    check_choice,
    check_order,
    check_pairs,
    check_recorded,
    check_text,
    normalize_text,
    parse_number,
)

words = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=8)
spaces = st.text(alphabet=WHITESPACE, min_size=1, max_size=3)


# --- short answer ---------------------------------------------------------------------------
def test_exact_and_case_insensitive_by_default() -> None:
    """Is "wikidata" accepted for "Wikidata" unless the author asks for case sensitivity?"""
    assert check_text("wikidata", accepted=["Wikidata"]).correct
    assert not check_text("wikidata", accepted=["Wikidata"], case_sensitive=True).correct
    assert check_text("Wikidata", accepted=["Wikidata"], case_sensitive=True).correct


def test_whitespace_rules() -> None:
    """Do the three whitespace rules treat extra and missing spaces as documented?"""
    assert check_text("  Wikimedia \t Commons ", accepted=["Wikimedia Commons"]).correct
    assert not check_text("WikimediaCommons", accepted=["Wikimedia Commons"]).correct
    assert check_text(
        "WikimediaCommons", accepted=["Wikimedia Commons"], whitespace="ignore"
    ).correct
    assert not check_text(" Commons", accepted=["Commons"], whitespace="strict").correct
    with pytest.raises(ValueError, match="whitespace must be one of"):
        normalize_text("x", whitespace="squash")


def test_numbers_with_tolerance_and_local_digits() -> None:
    """Are typed numbers compared as numbers, with decimal commas and Arabic-Indic digits?"""
    assert check_text("2001", accepted=[2001]).correct
    assert check_text(" 2001.0 ", accepted=[2001]).correct
    assert check_text("3,14", accepted=[3.14159], tolerance=0.01).correct
    assert check_text("٣٫١٤", accepted=[3.14159], tolerance=0.01).correct
    assert not check_text("3.2", accepted=[3.14159], tolerance=0.01).correct
    assert not check_text("two thousand", accepted=[2000]).correct
    assert parse_number("1,000,000") is None  # ambiguous: not a number
    assert parse_number("nan") is None and parse_number("1e999") is None


def test_regular_expressions_match_the_whole_answer() -> None:
    """Does a regex accept variants, match the whole answer, and ignore a broken pattern?"""
    rule = {"regex": [r"(wikimedia )?commons"]}
    assert check_text("Commons", **rule).correct
    assert check_text("Wikimedia  Commons", **rule).correct
    assert not check_text("Commons rocks", **rule).correct
    assert not check_text("x", regex=["("]).correct


def test_feedback_for_a_known_wrong_answer() -> None:
    """Does a known wrong answer get the author's message, compared like answers are?"""
    result = check_text(" 2000 ", accepted=[2001], feedback={"2000": "Close: that was Nupedia."})
    assert not result.correct and result.feedback == ("Close: that was Nupedia.",)
    # the same number typed with other digits or a decimal comma gets the same feedback
    for typed in ("٢٠٠٠", "2000,0", "۲۰۰۰"):
        again = check_text(typed, accepted=[2001], feedback={"2000": "Close: that was Nupedia."})
        assert again.feedback == ("Close: that was Nupedia.",), typed
    other = check_text("1999", accepted=[2001], feedback={"2000": "Close: that was Nupedia."})
    assert other.feedback == ()


def test_non_text_answers_are_wrong_not_errors() -> None:
    """Does a malformed answer (None, a list) give 'wrong' instead of raising?"""
    assert not check_text(None, accepted=["x"]).correct
    assert not check_text(["x"], accepted=["x"]).correct


@given(word=words, before=spaces, after=spaces)
def test_surrounding_whitespace_never_matters_when_collapsing(
    word: str, before: str, after: str
) -> None:
    """Is an accepted answer still accepted with any whitespace around it?"""
    assert check_text(before + word + after, accepted=[word]).correct


@given(a=words, b=words, gap=spaces)
def test_inner_whitespace_runs_collapse_to_one_space(a: str, b: str, gap: str) -> None:
    """Is any run of whitespace between words the same as one space?"""
    assert check_text(a + gap + b, accepted=[f"{a} {b}"]).correct


@given(word=words)
def test_case_insensitive_matching_accepts_upper_and_lower(word: str) -> None:
    """Is the lower-case or upper-case form of a word accepted when case does not matter?"""
    assert check_text(word.lower(), accepted=[word]).correct
    if word.upper().lower() == word.lower():  # some letters do not round-trip (e.g. 'ß')
        assert check_text(word.upper(), accepted=[word]).correct


@given(value=st.floats(-1e6, 1e6, allow_nan=False), delta=st.floats(0, 1), tol=st.floats(0, 1))
def test_tolerance_is_an_absolute_bound(value: float, delta: float, tol: float) -> None:
    """Is a number accepted exactly when it is within the tolerance?"""
    typed = repr(value + delta)
    got = parse_number(typed)
    assert got is not None
    assert check_text(typed, accepted=[value], tolerance=tol).correct == (
        abs(got - value) <= tol + 1e-12
    )


@given(st.integers(-(10**9), 10**9))
def test_integers_round_trip_through_parse_number(n: int) -> None:
    """Is every integer, typed plainly, read back as itself?"""
    assert parse_number(str(n)) == n


# --- choices, order, pairs, blanks -----------------------------------------------------------
def test_single_and_multiple_choice() -> None:
    """Is a choice right only when exactly the correct set is chosen, with per-option feedback?"""
    fb = {"wikisource": "Source texts."}
    assert check_choice(["wikidata"], correct=["wikidata"]).correct
    wrong = check_choice(["wikisource"], correct=["wikidata"], feedback=fb)
    assert not wrong.correct and wrong.feedback == ("Source texts.",)
    assert wrong.wrong == ("wikisource",)  # the unchosen right answer is not revealed
    assert check_choice(["cc0", "cc-by-sa"], correct=["cc-by-sa", "cc0"]).correct
    assert not check_choice(["cc0"], correct=["cc-by-sa", "cc0"]).correct
    assert not check_choice([], correct=["x"]).correct
    assert not check_choice(["x", "x"], correct=["x"]).correct


@given(st.lists(st.text(min_size=1, max_size=4), min_size=1, max_size=6, unique=True), st.randoms())
def test_choice_ignores_order_of_choosing(values: list[str], rnd: object) -> None:
    """Does the order in which options were ticked never change the verdict?"""
    shuffled = list(values)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert check_choice(shuffled, correct=values).correct


@given(st.lists(st.text(min_size=1, max_size=4), min_size=2, max_size=6, unique=True), st.randoms())
def test_order_is_right_only_in_the_key_order(order: list[str], rnd: object) -> None:
    """Is an ordering right exactly when it equals the key, and are wrong slots listed?"""
    answer = list(order)
    rnd.shuffle(answer)  # type: ignore[attr-defined]
    result = check_order(answer, order=order)
    assert result.correct == (answer == order)
    assert result.wrong == tuple(
        i for i, (a, b) in enumerate(zip(answer, order, strict=True)) if a != b
    )


def test_order_with_missing_or_foreign_items_is_wrong() -> None:
    """Is an answer with an item missing or unknown wrong in every slot?"""
    assert check_order(["a", "b"], order=["a", "b", "c"]).wrong == (0, 1, 2)
    assert not check_order("abc", order=["a", "b", "c"]).correct


def test_pairs() -> None:
    """Is a matching right only when every left item has its right item?"""
    key = {"0": "0", "1": "1"}
    assert check_pairs({"0": "0", "1": "1"}, pairs=key).correct
    assert check_pairs({"0": "1", "1": "1"}, pairs=key).wrong == ("0",)
    assert check_pairs({"0": "0"}, pairs=key).wrong == ("1",)
    assert check_pairs(["0"], pairs=key).wrong == ("0", "1")
    notes = {"0": "Facts go to Wikidata."}
    assert check_pairs({"0": "1", "1": "1"}, pairs=key, feedback=notes).feedback == (
        "Facts go to Wikidata.",
    )
    assert check_pairs({"0": "0", "1": "0"}, pairs=key, feedback=notes).feedback == ()


def test_blanks() -> None:
    """Is each blank checked with its own alternatives and the text rules?"""
    blanks = [["encyclopedia"], ["edit", "improve"]]
    assert check_blanks(["Encyclopedia", " improve "], blanks=blanks).correct
    assert check_blanks(["encyclopaedia", "edit"], blanks=blanks).wrong == (0,)
    assert check_blanks(["encyclopedia"], blanks=blanks).wrong == (0, 1)
    assert not check_blanks(["Encyclopedia", "edit"], blanks=blanks, case_sensitive=True).correct


def test_reflection_accepts_any_non_empty_text() -> None:
    """Is any non-blank reflection recorded as an answer?"""
    assert check_recorded("I want to add sources.").correct
    assert not check_recorded("   ").correct


def test_registry_dispatch() -> None:
    """Does check() find each kind's rule, and name the known kinds for an unknown one?"""
    assert check("ordering", ["a", "b"], {"order": ["a", "b"]}).correct
    assert set(checkers.CHECKERS) >= {"multiple-choice", "short-answer", "matching"}
    with pytest.raises(ValueError, match="known:"):
        check("essay", "x", {})
