"""Draws license-spectrum.png, the diagram in 01-licenses-and-the-public-domain.ipynb.

Run from this folder with the project's environment (matplotlib is in the `packs` extra):
    ../../.venv/bin/python make_license_spectrum.py
The picture has no words, only the licence codes Creative Commons uses in every language and
the signs ✓ and ✗, so one file serves every translation; the notebook gives its alt text.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

# From the most to the least permissive, as on Creative Commons' own licence spectrum.
FREE = ["CC0", "CC BY", "CC BY-SA"]
NON_FREE = ["CC BY-NC", "CC BY-NC-SA", "CC BY-ND", "CC BY-NC-ND"]

fig, ax = plt.subplots(figsize=(9, 2.6), dpi=100)
ax.set_xlim(0, 7.9)
ax.set_ylim(0, 2.6)
ax.axis("off")

for i, name in enumerate(FREE + NON_FREE):
    free = name in FREE
    x = 0.2 + i * 1.05 + (0.3 if not free else 0)
    ax.add_patch(
        FancyBboxPatch(
            (x, 0.5),
            0.9,
            0.9,
            boxstyle="round,pad=0.02,rounding_size=0.08",
            facecolor="#d7ecd9" if free else "#f3e0c7",
            edgecolor="#1b5e20" if free else "#8a4b00",
            linewidth=2,
            hatch=None if free else "//",
        )
    )
    ax.text(
        x + 0.45,
        0.95,
        name.replace(" ", "\n"),
        ha="center",
        va="center",
        fontsize=11,
        fontweight="bold",
        color="#111111",
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5, "alpha": 0.85},
    )

# One sign over each group: free (accepted on Wikimedia Commons) or not.
ax.annotate(
    "",
    xy=(0.2, 1.75),
    xytext=(3.25, 1.75),
    arrowprops={"arrowstyle": "-", "color": "#1b5e20", "linewidth": 2},
)
ax.text(1.72, 2.1, "✓", ha="center", va="center", fontsize=26, color="#1b5e20")
ax.annotate(
    "",
    xy=(3.45, 1.75),
    xytext=(7.7, 1.75),
    arrowprops={"arrowstyle": "-", "color": "#8a4b00", "linewidth": 2},
)
ax.text(5.57, 2.1, "✗", ha="center", va="center", fontsize=26, color="#8a4b00")
# An arrow under the row: from more freedom to fewer freedoms.
ax.annotate(
    "",
    xy=(7.7, 0.25),
    xytext=(0.2, 0.25),
    arrowprops={"arrowstyle": "->", "color": "#444444", "linewidth": 1.5},
)

fig.savefig(
    "license-spectrum.png", bbox_inches="tight", pad_inches=0.05, metadata={"Software": None}
)
