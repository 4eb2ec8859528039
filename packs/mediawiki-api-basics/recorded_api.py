"""A stand-in for ``requests.Session`` that answers MediaWiki Action API requests from the
recorded answers in ``responses/`` instead of the network (see ``responses/make_responses.py``).

Use it as you would use ``requests``::

    session = RecordedSession()
    response = session.get(API, params={...}, headers={"User-Agent": "..."})
    data = response.json()

It answers only requests it has a recording for, with exactly the same parameters, and it
refuses requests without a descriptive User-Agent, as Wikimedia's servers may.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

API = "https://wiki.example.org/w/api.php"
HERE = Path(__file__).parent / "responses"
_GENERIC_AGENTS = ("python-requests", "python-urllib", "curl", "mozilla", "wget")


class RecordingNotFound(LookupError):
    """No recorded answer has exactly these parameters."""


class MissingUserAgent(ValueError):
    """The request has no User-Agent header, or only a library's default one."""


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, (list, tuple)):
        return "|".join(str(item) for item in value)
    return str(value)


class RecordedResponse:
    """What ``session.get`` returns: ``status_code``, ``headers``, ``json()``."""

    def __init__(self, body: dict[str, Any], headers: dict[str, str]) -> None:
        self.status_code = 200  # the Action API reports its errors inside the JSON
        self.headers = {"Content-Type": "application/json; charset=utf-8", **headers}
        self._body = body

    def json(self) -> dict[str, Any]:
        return json.loads(json.dumps(self._body))  # a fresh copy each time, as a parsed body is

    def raise_for_status(self) -> None:
        return None


class RecordedSession:
    """Serves the recorded answers by their request parameters; keeps the requests it got."""

    def __init__(self, folder: str | Path = HERE) -> None:
        self.folder = Path(folder)
        self.recordings = json.loads((self.folder / "index.json").read_text(encoding="utf-8"))
        self.requests: list[dict[str, str]] = []

    def __repr__(self) -> str:
        return "RecordedSession()"

    def get(
        self,
        url: str,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> RecordedResponse:
        agent = {k.lower(): v for k, v in (headers or {}).items()}.get("user-agent", "")
        if not agent.strip() or agent.lower().startswith(_GENERIC_AGENTS):
            raise MissingUserAgent(
                "Set a descriptive User-Agent header: your tool's name and version and a way "
                "to contact you, e.g. 'LighthouseLister/0.1 (https://example.org/me; me@example.org)'. "
                "See https://meta.wikimedia.org/wiki/User-Agent_policy"
            )
        if url != API:
            raise RecordingNotFound(f"Only {API} is recorded, not {url}")
        wanted = {key: _as_text(value) for key, value in (params or {}).items()}
        self.requests.append(wanted)
        for recording in self.recordings:
            if recording["params"] == wanted:
                body = json.loads((self.folder / recording["file"]).read_text(encoding="utf-8"))
                return RecordedResponse(body, recording["headers"])
        raise RecordingNotFound(self._closest(wanted))

    def _closest(self, wanted: dict[str, str]) -> str:
        def distance(recording: dict[str, Any]) -> int:
            recorded = recording["params"]
            return len(set(recorded.items()) ^ set(wanted.items()))

        best = min(self.recordings, key=distance)["params"]
        missing = {k: v for k, v in best.items() if wanted.get(k) != v}
        extra = {k: v for k, v in wanted.items() if k not in best}
        return (
            "No recorded answer for these parameters. The closest recording also has "
            f"{missing or 'nothing more'}; your request also has {extra or 'nothing more'}."
        )
