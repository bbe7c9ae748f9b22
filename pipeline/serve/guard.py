"""What a request to the local server may ask, decided by pure functions.

The server is a local tool: other sites a reviewer has open in the same browser must
neither read it (DNS rebinding: a name of theirs pointed at 127.0.0.1) nor act through
it (a cross-site form posting an approval), and no request may read a file outside
`build/`.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

WILDCARDS = ("0.0.0.0", "::", "")
LOOPBACK_NAMES = ("localhost",)


@dataclass(frozen=True)
class Address:
    """Where the server listens: the host as given (a name or an address), the address it
    was bound to, and its real port."""

    host: str
    port: int
    bound: str = ""

    @property
    def names(self) -> set[str]:
        return {n.lower().strip("[]") for n in (self.host, self.bound) if n}

    @property
    def url_host(self) -> str:
        """The host as a URL writes it (an IPv6 address in brackets)."""
        return f"[{self.host}]" if ":" in self.host else self.host

    @property
    def url(self) -> str:
        return f"http://{self.url_host}:{self.port}/"


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def split_host(header: str) -> tuple[str, int | None]:
    """A `Host` header as (host, port); port None when absent or not a number."""
    header = header.strip().lower()
    if header.startswith("["):
        host, _, rest = header[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port = header.rpartition(":") if ":" in header else (header, "", "")
    return host, int(port) if port.isdigit() else None


def host_allowed(header: str, address: Address) -> bool:
    """Whether a `Host` header names this server.

    Allowed: the address it is bound to, and for a loopback server `localhost`; a server
    bound to every interface answers any IP address literal (a name could be anyone's,
    an address literal cannot be rebound).  The port must be the server's own.
    """
    host, port = split_host(header)
    if not host or port != address.port:
        return False
    names = address.names
    if host in names:
        return True
    asked_ip = _ip(host)
    if names & set(WILDCARDS):
        return asked_ip is not None or host in LOOPBACK_NAMES
    ips = {ip for n in names if (ip := _ip(n)) is not None}
    if asked_ip is not None and asked_ip in ips:
        return True
    loopback = bool(names & set(LOOPBACK_NAMES)) or any(ip.is_loopback for ip in ips)
    return loopback and (host in LOOPBACK_NAMES or (asked_ip is not None and asked_ip.is_loopback))


def own_origin(origin: str | None, host_header: str, address: Address) -> bool:
    """Whether an `Origin` is this server as the page that posts was loaded from it."""
    if not origin or not origin.startswith("http://"):
        return False
    rest = origin[len("http://") :]
    if "/" in rest or not host_allowed(rest, address):
        return False
    return rest.lower() == host_header.strip().lower()


def from_loopback(client: str | None) -> bool:
    found = _ip(client or "")
    if found is None:
        return False
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped is not None:
        found = found.ipv4_mapped
    return found.is_loopback


def token_matches(sent: str | None, expected: str) -> bool:
    if not sent:
        return False
    return hmac.compare_digest(sent.encode(), expected.encode())


def approval_refusal(
    method: str,
    token: str | None,
    expected_token: str,
    origin: str | None,
    host_header: str,
    client: str | None,
    address: Address,
) -> str | None:
    """Why an approval request is refused, or None: it must be a POST from this machine,
    from one of this server's own pages (their origin, their per-run token)."""
    if method != "POST":
        return "approvals are accepted only as POST"
    if not from_loopback(client):
        return "approvals are accepted only from this machine"
    if not own_origin(origin, host_header, address):
        return "approvals are accepted only from this server's own pages"
    if not token_matches(token, expected_token):
        return "the page's token does not match this server's; reload the page"
    return None


def _unquoted(raw: str) -> str:
    """Percent-decoded until nothing changes: `%252e` is refused like `.`."""
    for _ in range(4):
        decoded = unquote(raw, errors="strict")
        if decoded == raw:
            return decoded
        raw = decoded
    return raw


def build_file(build_dir: Path, raw_path: str) -> Path | None:
    """The file under `build_dir` a request path names, or None when there is none it
    may read: no `..`, dot-files, backslashes or control characters in any encoding,
    and nothing a symbolic link leads to outside `build_dir`.  A folder means its
    `index.html`."""
    try:
        path = _unquoted(raw_path.split("?", 1)[0])
    except UnicodeDecodeError:
        return None
    if any(ch == "\\" or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path):
        return None
    parts = [p for p in path.split("/") if p]
    if any(p.startswith(".") for p in parts):  # `..`, and the build's own state files
        return None
    root = build_dir.resolve()
    candidate = root.joinpath(*parts)
    try:
        if candidate.is_dir():
            candidate = candidate / "index.html"
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(root) or not resolved.is_file():
        return None
    return resolved
