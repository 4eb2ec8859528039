"""Write the sample data of the wikidata-for-beginners pack (run from this folder:
``python make_data.py``). Nothing is downloaded: every value below was typed in by hand.

- ``entities.json``: three entities in the JSON format that Wikidata's API returns
  (``action=wbgetentities``, see https://www.wikidata.org/wiki/Wikidata:Data_access):
  * Q42 (Douglas Adams) and Q5 (human): short excerpts of real items. The statements use real
    identifiers and well-known facts (Douglas Adams was born in Cambridge on 11 March 1952 and
    died in Santa Barbara on 11 May 2001; he married Jane Belson in 1991). The labels,
    descriptions and references were written for this pack: the live items have many more
    statements, and their wording in each language may differ.
  * Q999999999 ("Sampletown"): an invented town, made up to show ranks and qualifiers. No real
    item has this content.
- ``query-*.json``: answers of the SPARQL queries shown in the notebook, written in the SPARQL
  1.1 Query Results JSON Format (https://www.w3.org/TR/sparql11-results-json/) that
  https://query.wikidata.org returns, from the same facts.
"""

import json
from pathlib import Path

GREGORIAN = "http://www.wikidata.org/entity/Q1985727"
HERE = Path(__file__).parent


def item_value(qid):
    return {
        "value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid},
        "type": "wikibase-entityid",
    }


def time_value(day, precision=11):
    return {
        "value": {
            "time": f"+{day}T00:00:00Z",
            "timezone": 0,
            "before": 0,
            "after": 0,
            "precision": precision,
            "calendarmodel": GREGORIAN,
        },
        "type": "time",
    }


def quantity_value(amount):
    return {"value": {"amount": f"+{amount}", "unit": "1"}, "type": "quantity"}


def string_value(text):
    return {"value": text, "type": "string"}


DATATYPES = {
    "wikibase-entityid": "wikibase-item",
    "time": "time",
    "quantity": "quantity",
    "string": "string",
}


def snak(prop, datavalue, datatype=None):
    return {
        "snaktype": "value",
        "property": prop,
        "datavalue": datavalue,
        "datatype": datatype or DATATYPES[datavalue["type"]],
    }


def statement(entity, n, prop, datavalue, *, rank="normal", qualifiers=(), references=()):
    quals: dict = {}
    for qprop, qvalue in qualifiers:
        quals.setdefault(qprop, []).append(snak(qprop, qvalue))
    result = {
        "mainsnak": snak(prop, datavalue),
        "type": "statement",
        "id": f"{entity}$sample-{prop}-{n}",
        "rank": rank,
    }
    if quals:
        result["qualifiers"] = quals
        result["qualifiers-order"] = list(quals)
    if references:
        refs = []
        for ref in references:
            snaks: dict = {}
            for rprop, rvalue, *rtype in ref:
                snaks.setdefault(rprop, []).append(snak(rprop, rvalue, *rtype))
            refs.append({"snaks": snaks, "snaks-order": list(snaks)})
        result["references"] = refs
    return result


def terms(values):
    return {lang: {"language": lang, "value": text} for lang, text in values.items()}


def claims(entity, rows):
    out: dict = {}
    for prop, value, kwargs in rows:
        out.setdefault(prop, []).append(
            statement(entity, len(out.get(prop, [])) + 1, prop, value, **kwargs)
        )
    return out


VIAF_REF = [("P248", item_value("Q54919")), ("P214", string_value("113230702"), "external-id")]

Q42 = {
    "type": "item",
    "id": "Q42",
    "labels": terms({"mul": "Douglas Adams", "en": "Douglas Adams"}),
    "descriptions": terms(
        {
            "en": "English writer and humorist (1952–2001)",
            "fr": "écrivain et humoriste anglais (1952-2001)",
            "es": "escritor y humorista inglés (1952-2001)",
            "ar": "كاتب وفكاهي إنجليزي (1952–2001)",
        }
    ),
    "aliases": {"mul": [{"language": "mul", "value": "Douglas Noël Adams"}]},
    "claims": claims(
        "Q42",
        [
            ("P31", item_value("Q5"), {"references": [VIAF_REF]}),
            ("P21", item_value("Q6581097"), {}),
            ("P569", time_value("1952-03-11"), {"references": [VIAF_REF]}),
            ("P19", item_value("Q350"), {}),
            ("P570", time_value("2001-05-11"), {}),
            ("P20", item_value("Q159288"), {}),
            ("P106", item_value("Q36180"), {}),
            (
                "P26",
                item_value("Q14623681"),
                {"qualifiers": [("P580", time_value("1991-11-25"))]},
            ),
        ],
    ),
}

Q5 = {
    "type": "item",
    "id": "Q5",
    "labels": terms(
        {"en": "human", "fr": "être humain", "es": "ser humano", "de": "Mensch", "ar": "إنسان"}
    ),
    "descriptions": terms({"en": "any member of Homo sapiens"}),
    "aliases": {},
    "claims": {},
}

CENSUS = "https://example.org/sampletown/census"
SAMPLETOWN = {
    "type": "item",
    "id": "Q999999999",
    "labels": terms({"en": "Sampletown", "fr": "Villexemple", "es": "Villaejemplo"}),
    "descriptions": terms({"en": "invented town, used as an example in a learning pack"}),
    "aliases": {"en": [{"language": "en", "value": "Sample Town"}]},
    "claims": claims(
        "Q999999999",
        [
            ("P31", item_value("Q515"), {}),
            (
                "P1082",
                quantity_value(12480),
                {
                    "qualifiers": [("P585", time_value("2010-00-00", precision=9))],
                    "references": [[("P854", string_value(f"{CENSUS}/2010"), "url")]],
                },
            ),
            (
                "P1082",
                quantity_value(13975),
                {
                    "rank": "preferred",
                    "qualifiers": [("P585", time_value("2020-00-00", precision=9))],
                    "references": [[("P854", string_value(f"{CENSUS}/2020"), "url")]],
                },
            ),
            (
                "P1082",
                quantity_value(139750),
                {
                    "rank": "deprecated",
                    "qualifiers": [("P585", time_value("2020-00-00", precision=9))],
                    "references": [
                        [("P854", string_value("https://example.org/a-blog-post"), "url")]
                    ],
                },
            ),
        ],
    ),
}


def uri(qid):
    return {"type": "uri", "value": f"http://www.wikidata.org/entity/{qid}"}


def literal(text, lang=None, datatype=None):
    out = {"type": "literal", "value": text}
    if lang:
        out["xml:lang"] = lang
    if datatype:
        out["datatype"] = datatype
    return out


DATE = "http://www.w3.org/2001/XMLSchema#dateTime"
QUERIES = {
    "query-birth.json": {
        "head": {"vars": ["birth", "place", "placeLabel"]},
        "results": {
            "bindings": [
                {
                    "birth": literal("1952-03-11T00:00:00Z", datatype=DATE),
                    "place": uri("Q350"),
                    "placeLabel": literal("Cambridge", lang="en"),
                }
            ]
        },
    },
    "query-spouse.json": {
        "head": {"vars": ["spouse", "spouseLabel", "start"]},
        "results": {
            "bindings": [
                {
                    "spouse": uri("Q14623681"),
                    "spouseLabel": literal("Jane Belson", lang="mul"),
                    "start": literal("1991-11-25T00:00:00Z", datatype=DATE),
                }
            ]
        },
    },
    "query-labels.json": {
        "head": {"vars": ["language", "label"]},
        "results": {
            "bindings": [
                {"language": literal(lang), "label": literal(text, lang=lang)}
                for lang, text in [
                    ("ar", "إنسان"),
                    ("de", "Mensch"),
                    ("en", "human"),
                    ("es", "ser humano"),
                    ("fr", "être humain"),
                ]
            ]
        },
    },
}


def write(name, data):
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    (HERE / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write("entities.json", {"entities": {e["id"]: e for e in (Q42, Q5, SAMPLETOWN)}})
    for name, data in QUERIES.items():
        write(name, data)
