"""Write the recorded API answers of the mediawiki-api-basics pack (run from this folder:
``python make_responses.py``). Nothing is downloaded.

The answers are **synthetic**: they describe "Example Wiki", an invented wiki at
https://wiki.example.org/w/api.php, and its invented category of lighthouses. Their shape follows
what MediaWiki's Action API returns with ``format=json&formatversion=2`` (see
https://www.mediawiki.org/wiki/API:Query, API:Continue, API:Errors_and_warnings and
Manual:Maxlag_parameter on mediawiki.org); the page ids, titles, dates and server names are
made up. ``index.json`` lists, for each answer, the exact request parameters it answers:
``recorded_api.RecordedSession`` serves them.
"""

import json
from pathlib import Path

HERE = Path(__file__).parent
BASE = {"format": "json", "formatversion": "2"}
CATEGORY = "Category:Lighthouses of the Example Coast"
LIGHTHOUSES = [
    "Amber Point Lighthouse",
    "Bell Rock Light (Example Coast)",
    "Cape Sample Lighthouse",
    "Dunmore Head Light",
    "Eastern Reef Lighthouse",
    "Fairhaven Lighthouse",
    "Gull Island Light",
    "Harbour Mouth Lighthouse",
    "Iron Bay Lighthouse",
    "Juniper Cliff Light",
    "Kestrel Point Lighthouse",
    "Long Sands Lighthouse",
]
BATCH = 5
DOCREF = (
    "See https://wiki.example.org/w/api.php for API usage. Subscribe to the mediawiki-api-announce "
    "mailing list at <https://lists.wikimedia.org/postorius/lists/mediawiki-api-announce.lists."
    "wikimedia.org/> for notice of API deprecations and breaking changes."
)

recordings = []


def record(name, params, body, *, headers=None):
    params = {**params, **BASE}
    recordings.append({"params": params, "file": name, "headers": headers or {}})
    text = json.dumps(body, ensure_ascii=False, indent=1) + "\n"
    (HERE / name).write_text(text, encoding="utf-8")


record(
    "siteinfo.json",
    {"action": "query", "meta": "siteinfo", "siprop": "general"},
    {
        "batchcomplete": True,
        "query": {
            "general": {
                "mainpage": "Main Page",
                "base": "https://wiki.example.org/wiki/Main_Page",
                "sitename": "Example Wiki",
                "generator": "MediaWiki 1.45.0",
                "lang": "en",
                "articlepath": "/wiki/$1",
                "scriptpath": "/w",
                "server": "https://wiki.example.org",
                "timezone": "UTC",
            }
        },
    },
)

PAGES = {
    "Cape Sample Lighthouse": (1203, 8412, 40213),
    "Gull Island Light": (1207, 3150, 39870),
    "Long Sands Lighthouse": (1212, 5977, 40456),
}


def info(title):
    pageid, length, revid = PAGES[title]
    return {
        "pageid": pageid,
        "ns": 0,
        "title": title,
        "contentmodel": "wikitext",
        "pagelanguage": "en",
        "pagelanguagehtmlcode": "en",
        "pagelanguagedir": "ltr",
        "touched": "2026-10-14T09:21:07Z",
        "lastrevid": revid,
        "length": length,
    }


record(
    "info-cape-sample.json",
    {"action": "query", "prop": "info", "titles": "Cape Sample Lighthouse"},
    {"batchcomplete": True, "query": {"pages": [info("Cape Sample Lighthouse")]}},
)
three = ["Cape Sample Lighthouse", "Gull Island Light", "Long Sands Lighthouse"]
record(
    "info-three-pages.json",
    {"action": "query", "prop": "info", "titles": "|".join(three)},
    {"batchcomplete": True, "query": {"pages": [info(t) for t in three]}},
)
record(
    "info-missing.json",
    {"action": "query", "prop": "info", "titles": "Cape Sampel Lighthouse"},
    {
        "batchcomplete": True,
        "query": {"pages": [{"ns": 0, "title": "Cape Sampel Lighthouse", "missing": True}]},
    },
)

members_params = {
    "action": "query",
    "list": "categorymembers",
    "cmtitle": CATEGORY,
    "cmlimit": str(BATCH),
}
batches = [LIGHTHOUSES[i : i + BATCH] for i in range(0, len(LIGHTHOUSES), BATCH)]
for number, batch in enumerate(batches, start=1):
    params = dict(members_params)
    if number > 1:
        params["cmcontinue"] = f"page|{batch[0].upper().replace(' ', '_')}|{1200 + LIGHTHOUSES.index(batch[0]) + 1}"
        params["continue"] = "-||"
    body = {
        "batchcomplete": True,  # a list-only query: each batch holds everything about its pages
        "query": {
            "categorymembers": [
                {"pageid": 1200 + LIGHTHOUSES.index(title) + 1, "ns": 0, "title": title}
                for title in batch
            ]
        }
    }
    if number < len(batches):
        following = batches[number][0]
        body = {
            "continue": {
                "cmcontinue": f"page|{following.upper().replace(' ', '_')}|{1200 + LIGHTHOUSES.index(following) + 1}",
                "continue": "-||",
            },
            **body,
        }
    record(f"members-{number}.json", params, body)

record(
    "error-badvalue.json",
    {"action": "query", "list": "categorymember", "cmtitle": CATEGORY, "cmlimit": str(BATCH)},
    {
        "error": {
            "code": "badvalue",
            "info": 'Unrecognized value for parameter "list": categorymember.',
            "docref": DOCREF,
        },
        "servedby": "mw-api.example-1",
    },
)
record(
    "error-maxlag.json",
    {"action": "query", "meta": "siteinfo", "siprop": "general", "maxlag": "-1"},
    {
        "error": {
            "code": "maxlag",
            "info": "Waiting for db-example-2: 2 seconds lagged.",
            "host": "db-example-2",
            "lag": 2,
            "type": "db",
            "docref": DOCREF,
        },
        "servedby": "mw-api.example-1",
    },
    headers={"Retry-After": "5", "X-Database-Lag": "2"},
)

if __name__ == "__main__":
    index = json.dumps(recordings, ensure_ascii=False, indent=1) + "\n"
    (HERE / "index.json").write_text(index, encoding="utf-8")
