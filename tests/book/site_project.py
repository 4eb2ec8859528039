"""A small multilingual project for the site tests: two packs, four languages, real PO catalogs.

- ``demo-pack`` (beginner): French fully translated (with French words only found there),
  Spanish partly translated (above the publishing threshold, so it shows the banner), Arabic
  fully translated for its headings and exercise feedback.
- ``advanced-pack`` (advanced, builds on ``demo-pack``): French fully translated, nothing else.
- Hebrew, a second right-to-left language with a few strings of ``demo-pack`` translated (the
  rest kept as the source's), so the mirroring is not only checked for Arabic.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polib

from learnpacks.i18n import extract, init
from learnpacks.packs.scaffold import new_pack

REPO = Path(__file__).resolve().parents[2]

FRENCH = {
    "Demo pack": "Parcours de démonstration",
    "Advanced pack": "Parcours avancé pour bibliothécaires",
    "Read": "Lire",
    "Try": "Essayer",
    "Check": "Vérifier",
    "One or two sentences for the catalog card: what a learner gains.": "Un parcours pour les bibliothécaires, les archivistes et les bénévoles curieux.",
    "Put a number in the cell above first.": "Mettez d’abord un nombre dans la cellule ci-dessus.",
}
ARABIC = {
    "Demo pack": "حزمة تجريبية",
    "Read": "اقرأ",
    "Try": "جرّب",
    "Check": "تحقّق",
    "Put a number in the cell above first.": "ضع رقمًا في الخلية أعلاه أولًا.",
}

HEBREW = {
    "Demo pack": "חבילת הדגמה",
    "Read": "קראו",
    "Try": "נסו",
    "Check": "בדקו",
}


def _fill(path: Path, words: dict[str, str], *, leave_untranslated: int = 0) -> None:
    po = polib.pofile(str(path))
    skipped = 0
    for entry in po:
        if entry.obsolete:
            continue
        if skipped < leave_untranslated and (entry.msgctxt or "").startswith("01-start.ipynb#"):
            skipped += 1  # a notebook unit left untranslated: the page is partly translated
            continue
        entry.msgstr = words.get(entry.msgid, entry.msgid)
    po.save()


def make_site_project(dest: Path) -> Path:
    """Lay out the project in *dest* (packs/, book/, translations/) and return it."""
    (dest / "packs").mkdir(parents=True)
    config = (REPO / "packs" / "_config.yml").read_text()
    # translated notebooks reach the hub from the branch `learnpacks hub publish` writes
    assert "notebooks_branch: notebooks" in config
    assert "languages: [en, fr, es, ar]" in config
    config = config.replace("languages: [en, fr, es, ar]", "languages: [en, fr, es, ar, he]")
    (dest / "packs" / "_config.yml").write_text(config)
    shutil.copytree(REPO / "book", dest / "book", ignore=shutil.ignore_patterns("_build"))
    demo = new_pack("demo-pack", root=dest, title="Demo pack")
    # approved: a plain `book build` publishes only packs whose status says so
    meta = demo / "pack.yml"
    meta.write_text(meta.read_text().replace("status: draft", "status: published"))
    advanced = new_pack("advanced-pack", root=dest, title="Advanced pack")
    meta = (
        (advanced / "pack.yml")
        .read_text()
        .replace("level: beginner", "level: advanced")
        .replace("status: draft", "status: published")
        .replace("prerequisites: []", "prerequisites:\n- demo-pack")
    )
    assert "- demo-pack" in meta
    (advanced / "pack.yml").write_text(meta)
    extract(root=dest)
    for lang in ("fr", "es", "ar", "he"):
        init(lang, root=dest)
    tr = dest / "translations"
    for lang in ("fr", "es", "ar"):  # the site's title and description, as the repository has them
        shutil.copyfile(REPO / "translations" / lang / "_site.po", tr / lang / "_site.po")
    _fill(tr / "fr" / "demo-pack.po", FRENCH)
    _fill(tr / "fr" / "advanced-pack.po", FRENCH)
    _fill(tr / "es" / "demo-pack.po", {}, leave_untranslated=2)
    _fill(tr / "ar" / "demo-pack.po", ARABIC)
    _fill(tr / "he" / "demo-pack.po", HEBREW)
    return dest
