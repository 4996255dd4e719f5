"""How a benchmark prints its result: one JSON line, or one aligned line per figure."""

from __future__ import annotations

import json


def print_result(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:28s} {value}")
