"""English sites of scaffolded packs, each built once for the modules that only read them (a
build costs about ten seconds): what authors may write in their packs, side by side.

- :func:`make_authored_project`, built online without search: ``demo-pack`` whose notebook links
  a data file (the theme marks download links with an icon glyph) and prints its kernel's
  transport (:data:`TRANSPORT_CELL`), and three packs whose
  authors' text holds markup: in the pack's title (``xss-demo``), in a notebook heading
  (``heading-xss``), in an exercise's prompt (``state-xss``, :data:`HOSTILE_PROMPT`).
- :func:`make_offline_project`, built offline (scripts vendored) with search: ``offline-pack``
  with a word to search for (:data:`SEARCH_WORD`), ``exercise-pack``, ``slider-pack`` (a plain
  ipywidgets slider beside the exercises), and the shipped ``mediawiki-api-basics`` (a video
  with captions).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from support import copy_project

from learnpacks.packs.scaffold import new_pack

AUTHORED_PACKS = ["demo-pack", "xss-demo", "heading-xss", "state-xss"]
OFFLINE_PACKS = ["offline-pack", "exercise-pack", "slider-pack", "mediawiki-api-basics"]

#: exercise text that would end the page's widget-state script if MyST-NB's escaping (of a
#: lowercase ``</script>`` only) were all there was
HOSTILE_PROMPT = '</SCRIPT><img src=x onerror="alert(1)"><!--<script> Which project?'
HOSTILE_TITLE = '<img src=x onerror="alert(1)"> Demo'
HOSTILE_HEADING = '# <img src=x onerror="alert(1)"> Heading\n\nText.'
SEARCH_WORD = "zebra"
#: a cell that prints how the kernel running it talks to the build (``demo-pack``)
TRANSPORT_CELL = (
    "import json\n"
    "from ipykernel.connect import get_connection_info\n"
    "print('kernel transport:', json.loads(get_connection_info())['transport'])"
)


def _edit(folder: Path, change: Callable[[dict[str, Any]], None]) -> None:
    nb_path = folder / "01-start.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    change(nb)
    nb_path.write_text(json.dumps(nb), encoding="utf-8")


def make_authored_project(dest: Path) -> Path:
    project = copy_project(dest)
    demo = new_pack("demo-pack", root=project)
    (demo / "cities.csv").write_text("city\nDakar\n", encoding="utf-8")

    def link(nb: dict[str, Any]) -> None:
        nb["cells"][0]["source"] += "\n\nThe data: [cities.csv](cities.csv)."
        nb["cells"].append(
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "transport",
                "metadata": {},
                "outputs": [],
                "source": TRANSPORT_CELL,
            }
        )

    def heading(nb: dict[str, Any]) -> None:
        nb["cells"][0]["source"] = HOSTILE_HEADING

    def prompt(nb: dict[str, Any]) -> None:
        question = "Which Wikimedia project stores structured data?"
        for cell in nb["cells"]:
            source = "".join(cell["source"])
            if question in source:
                cell["source"] = source.replace(question, HOSTILE_PROMPT.replace('"', '\\"'))

    _edit(demo, link)
    new_pack("xss-demo", root=project, title=HOSTILE_TITLE)
    _edit(new_pack("heading-xss", root=project), heading)
    _edit(new_pack("state-xss", root=project), prompt)
    return project


def make_offline_project(dest: Path) -> Path:
    project = copy_project(dest)

    def word(nb: dict[str, Any]) -> None:
        cell = next(c for c in nb["cells"] if c["id"] == "try-intro")
        cell["source"] += f"\n\nA {SEARCH_WORD}-striped sentence to search for."

    def slider(nb: dict[str, Any]) -> None:
        nb["cells"].append(
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "slider",
                "metadata": {},
                "outputs": [],
                "source": "import ipywidgets\n\nipywidgets.IntSlider(value=3)",
            }
        )

    _edit(new_pack("offline-pack", root=project, title="Offline pack"), word)
    new_pack("exercise-pack", root=project, title="Exercise pack")
    _edit(new_pack("slider-pack", root=project, title="Slider pack"), slider)
    return project
