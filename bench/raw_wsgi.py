"""The smallest WSGI app: the ceiling a WSGI server reaches on this machine (bench/http_baseline).

Every path answers 200 with b"ok\\n" as text/plain, like the platform's /healthz.
"""

from collections.abc import Callable, Iterable
from typing import Any

BODY = b"ok\n"
HEADERS = [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))]


def application(
    environ: dict[str, Any], start_response: Callable[[str, list[tuple[str, str]]], Any]
) -> Iterable[bytes]:
    start_response("200 OK", HEADERS)
    return [BODY]
