"""Writes the nginx configuration of `make prod` (crisisdesk/nginx.conf) for the ports it serves.

    python -m crisisdesk.proxy <directory>     # BIND=host:port, as the Procfile's other lines

nginx listens on BIND and passes pages and API to gunicorn on port + 10, and event streams to
uvicorn on port + 11 (both on 127.0.0.1). The directory becomes nginx's prefix: its
configuration, pid file and temporary files.
"""

import os
import sys
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf")
PAGES_OFFSET, STREAMS_OFFSET = 10, 11


def addresses(bind: str) -> dict[str, str]:
    """Where nginx listens, and the two servers behind it (the Procfile binds them there)."""
    port = int(bind.rsplit(":", 1)[1])
    return {
        "listen": bind,
        "pages": f"127.0.0.1:{port + PAGES_OFFSET}",
        "streams": f"127.0.0.1:{port + STREAMS_OFFSET}",
    }


def configuration(*, listen: str, pages: str, streams: str) -> str:
    text = TEMPLATE.read_text()
    for name, value in {"LISTEN": listen, "PAGES": pages, "STREAMS": streams}.items():
        text = text.replace(f"@{name}@", value)
    return text


def write(directory: Path, *, listen: str, pages: str, streams: str) -> Path:
    for temporary in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / "tmp" / temporary).mkdir(parents=True, exist_ok=True)
    path = directory / "nginx.conf"
    path.write_text(configuration(listen=listen, pages=pages, streams=streams))
    return path


if __name__ == "__main__":
    write(Path(sys.argv[1]), **addresses(os.environ.get("BIND", "127.0.0.1:8000")))
