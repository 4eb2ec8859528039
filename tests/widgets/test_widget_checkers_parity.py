"""Do the JavaScript checkers (static/exercise.js, used in the browser) give the same verdicts
as the Python ones (used by the kernel and by hidden tests)?"""

from __future__ import annotations

import json
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnpacks.widgets import checkers

JS = Path(checkers.__file__).parent / "static" / "exercise.js"
RUNNER = Path(__file__).parent / "fixtures" / "run-js-checkers.mjs"

# Characters where Python and JS could plausibly disagree: whitespace kinds, case mappings with
# special rules (ß, İ, final sigma), combining accents (NFC), local digits and separators.
ALPHABET = "aAbBzZéÉe\u0301ßİıΣσς ١٢٣٫٬۴0123456789.,-+eE \t\n\u00a0\u2003\u3000"
text = st.text(alphabet=ALPHABET, max_size=8)
values = st.text(alphabet="abcxyz012", min_size=1, max_size=3)
simple_regex = st.sampled_from(["a+", "(ab|ba)c?", "[0-9]+", "é?s", "σ+", "x.y", "ab|"])


def js_verdicts(node: str, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    done = subprocess.run(
        [node, str(RUNNER), str(JS)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


def py_verdicts(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [checkers.check(c["kind"], c["answer"], c["key"]).as_dict() for c in cases]


@st.composite
def near(draw: st.DrawFn, base: str) -> str:
    """A variant of ``base`` a learner might type: other whitespace, other case, decomposed."""
    out = []
    for ch in base:
        if ch.isspace() and draw(st.booleans()):
            ch = draw(st.sampled_from([" ", "\t", "\u00a0", "\u3000", "  ", ""]))
        elif draw(st.booleans()):
            ch = ch.upper() if draw(st.booleans()) else ch.lower()
        out.append(ch)
    typed = "".join(out)
    typed = draw(st.sampled_from(["", " ", "\u2003"])) + typed + draw(st.sampled_from(["", "\n"]))
    return unicodedata.normalize("NFD", typed) if draw(st.booleans()) else typed


@st.composite
def short_answer(draw: st.DrawFn) -> dict[str, Any]:
    accepted = draw(
        st.lists(st.one_of(text, st.integers(-50, 50), st.floats(-100, 100)), max_size=3)
    )
    seeds = [a if isinstance(a, str) else repr(a) for a in accepted] or [draw(text)]
    answer = draw(st.one_of(text, near(draw(st.sampled_from(seeds)))))
    return {"kind": "short-answer", "answer": answer, "key": draw(short_key(st.just(accepted)))}


def short_key(accepted: st.SearchStrategy[list[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "accepted": accepted,
            "regex": st.lists(simple_regex, max_size=2),
            "tolerance": st.sampled_from([0.0, 0.5, 0.01]),
            "case_sensitive": st.booleans(),
            "whitespace": st.sampled_from(["collapse", "ignore", "strict"]),
            "feedback": st.dictionaries(text, st.just("note"), max_size=2),
        }
    )


choice = st.fixed_dictionaries(
    {
        "kind": st.just("multiple-choice"),
        "answer": st.lists(values, max_size=3),
        "key": st.fixed_dictionaries(
            {
                "correct": st.lists(values, max_size=3, unique=True),
                "feedback": st.dictionaries(values, values, max_size=3),
            }
        ),
    }
)
ordering = st.lists(values, min_size=2, max_size=4, unique=True).flatmap(
    lambda order: st.fixed_dictionaries(
        {
            "kind": st.just("ordering"),
            "answer": st.one_of(st.permutations(order), st.lists(values, max_size=4)),
            "key": st.just({"order": order}),
        }
    )
)
matching = st.fixed_dictionaries(
    {
        "kind": st.just("matching"),
        "answer": st.dictionaries(values, values, max_size=3),
        "key": st.fixed_dictionaries(
            {"pairs": st.dictionaries(values, values, min_size=1, max_size=3)},
            optional={"feedback": st.dictionaries(values, st.just("note"), max_size=2)},
        ),
    }
)
blanks = st.fixed_dictionaries(
    {
        "kind": st.just("fill-in-the-blanks"),
        "answer": st.lists(text, max_size=3),
        "key": st.fixed_dictionaries(
            {
                "blanks": st.lists(st.lists(text, min_size=1, max_size=2), min_size=1, max_size=3),  # noqa: E501
                "case_sensitive": st.booleans(),
                "whitespace": st.sampled_from(["collapse", "ignore", "strict"]),
            }
        ),
    }
)
any_case = st.one_of(short_answer(), short_answer(), choice, ordering, matching, blanks)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases=st.lists(any_case, min_size=20, max_size=60))
def test_js_and_python_checkers_agree(node: str, cases: list[dict[str, Any]]) -> None:
    """For random answers and keys of every kind, is the JS verdict the Python verdict?"""
    # Python may hold tuples; JSON is what both sides really see.
    cases = json.loads(json.dumps(cases))
    assert js_verdicts(node, cases) == py_verdicts(cases)


def test_js_checkers_on_the_documented_examples(node: str) -> None:
    """Do the worked examples of the author guide give the same verdict in JS?"""
    cases = [
        {
            "kind": "short-answer",
            "answer": "٣٫١٤",
            "key": {"accepted": [3.14159], "tolerance": 0.01},
        },
        {
            "kind": "short-answer",
            "answer": " wikimedia  COMMONS ",
            "key": {"accepted": ["Wikimedia Commons"]},
        },
        {
            "kind": "short-answer",
            "answer": "2000",
            "key": {"accepted": [2001], "feedback": {"2000": "Nupedia"}},
        },
        {
            "kind": "short-answer",
            "answer": "٢٠٠٠",
            "key": {"accepted": [2001], "feedback": {"2000": "Nupedia"}},
        },
        {
            "kind": "multiple-choice",
            "answer": ["cc0", "cc-by-sa"],
            "key": {"correct": ["cc-by-sa", "cc0"]},
        },
        {
            "kind": "fill-in-the-blanks",
            "answer": ["Encyclopedia", "x"],
            "key": {"blanks": [["encyclopedia"], ["edit"]]},
        },
    ]
    verdicts = js_verdicts(node, cases)
    assert [v["correct"] for v in verdicts] == [True, True, False, False, True, False]
    assert verdicts[2]["feedback"] == ["Nupedia"] and verdicts[5]["wrong"] == [1]
    assert verdicts[3]["feedback"] == ["Nupedia"]  # the same number in Eastern Arabic digits
    assert verdicts == py_verdicts(cases)
