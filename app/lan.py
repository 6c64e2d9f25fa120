"""Where students reach this server: its addresses on the local network, and a class's join
link built for them (a teacher on http://127.0.0.1:8000 gives students the LAN address)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback: what students' browsers open when
    the server listens on 0.0.0.0. Read locally (interfaces, then the host name); nothing is
    sent anywhere."""
    found = set()
    try:
        import fcntl  # Linux and the BSDs: ask each interface for its address
        import struct

        for _, name in socket.if_nameindex():
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                try:
                    request = struct.pack("256s", name.encode()[:15])
                    answer = fcntl.ioctl(probe.fileno(), 0x8915, request)  # SIOCGIFADDR
                except OSError:
                    continue  # no IPv4 address on this interface
            found.add(socket.inet_ntoa(answer[20:24]))
    except (ImportError, OSError):
        pass
    try:
        for *_, address in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(address[0])
    except OSError:
        pass
    return sorted(a for a in found if not a.startswith("127."))


def is_loopback(host: str) -> bool:
    """Whether a Host header's host (no port) names this machine only."""
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def join_urls(base_url: str, path: str) -> list[str]:
    """Absolute links to `path` on this server for other computers: the address the teacher's
    browser used, unless that is a loopback one; then each LAN address with the same port."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "", parts.port
    if not is_loopback(host):
        return [f"{parts.scheme}://{parts.netloc}{path}"]
    suffix = f":{port}" if port else ""
    found = [f"{parts.scheme}://{a}{suffix}{path}" for a in lan_addresses()]
    return found or [f"{parts.scheme}://{parts.netloc}{path}"]
