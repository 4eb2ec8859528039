"""Writes community-activity.csv, the synthetic data of 02-measuring-community-health.ipynb.

The data is invented: "Examplewiki" is not a real wiki. It imitates the monthly figures that
Wikistats (https://stats.wikimedia.org/) publishes for a wiki, with a story a community could
meet: readers slowly grow, a yearly edit-a-thon in March brings many newcomers, but fewer of
them come back and the number of active editors slowly falls.

Run from this folder with the project's environment (numpy and pandas are in the `packs` extra):
    ../../.venv/bin/python make_community_data.py
The seed is fixed (2030), so the file is the same on every run.
"""

import numpy as np
import pandas as pd

rng = np.random.default_rng(2030)
months = pd.period_range("2022-01", "2024-12", freq="M")
rows = []
for i, month in enumerate(months):
    march = month.month == 3
    summer = month.month in (7, 8)
    # Readers: slow growth, a summer dip, a little noise.
    pageviews = 1_200_000 * (1.005**i) * (0.85 if summer else 1.0) * rng.normal(1.0, 0.03)
    # Newcomers: about 120 a month, many more in the March edit-a-thon.
    new_editors = rng.normal(210 if march else 120, 8)
    # The share of newcomers who edit again the next month falls from about 15 % to 9 %.
    returning_share = 0.15 - 0.06 * i / (len(months) - 1) + rng.normal(0, 0.008)
    # Active editors (5 or more edits in the month): a slow fall, a bump in March.
    active = 310 * (0.993**i) + (25 if march else 0) + rng.normal(0, 6)
    edits = active * rng.normal(62, 3)
    rows.append(
        {
            "month": str(month),
            "active_editors": round(active),
            "new_editors": round(new_editors),
            "new_editors_returning": round(new_editors * returning_share),
            "edits": round(edits),
            "pageviews": round(pageviews),
        }
    )

pd.DataFrame(rows).to_csv("community-activity.csv", index=False)
