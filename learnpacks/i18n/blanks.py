"""Blanks of a fill-in-the-blanks text (``[[answer|other]]``, graded: ``[[ ]]``) in a translation.

A translation that drops or adds a blank, or empties a practice blank, makes
``FillInTheBlanks`` raise when the translated notebook runs; one that writes an answer into a
graded blank would put a key in the learner's notebook (and is refused there too). ``check``
refuses them first (THREATS.md case 64).
"""

from __future__ import annotations

from learnpacks.errors import Problem


def blank_problems(source: str, translation: str, *, display: str, where: str) -> list[Problem]:
    """Problems of *translation* of an exercise string *source* that has ``[[...]]`` blanks."""
    if "[[" not in source:
        return []
    from learnpacks.widgets.exercises import parse_blanks

    before = parse_blanks(source)[1]
    after = parse_blanks(translation)[1]
    if not before:
        return []
    if len(after) != len(before):
        return [
            Problem(
                display,
                "i18n.blank-count",
                f"the source has {len(before)} blank(s) [[...]], the translation {len(after)}",
                where,
                hint="keep every [[...]] blank, in the order your sentence needs",
            )
        ]
    problems = []
    for n, (given, translated) in enumerate(zip(before, after, strict=True), 1):
        if not given and translated:
            problems.append(
                Problem(
                    display,
                    "i18n.blank-answer",
                    f"blank {n} is graded (empty in the source); the translation writes an answer into it",
                    where,
                    hint="keep a graded blank empty: [[ ]]",
                )
            )
        elif given and not translated:
            problems.append(
                Problem(
                    display,
                    "i18n.blank-empty",
                    f"blank {n} has accepted answers in the source; the translation leaves it empty",
                    where,
                    hint="translate the accepted answers inside [[...]], separated by |",
                )
            )
    return problems
