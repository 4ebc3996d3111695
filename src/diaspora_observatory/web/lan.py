"""The machine's addresses on the local network, for ``diaspora serve --share``: the links phones can open.

Found without sending anything: connecting a UDP socket only asks the kernel which local address its
routing table would use towards a private address (no packet leaves), and the host name's own addresses
come from the resolver's local files. Loopback and link-local addresses are left out: a phone cannot
reach them.
"""

from __future__ import annotations

import ipaddress
import socket

# A private address (RFC 1918) that is never a real peer here; only the route towards it is looked up.
PROBE_ADDRESS = ("10.255.255.255", 9)


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast)


def routed_address() -> str | None:
    """The local IPv4 address of the default route, or None when the machine has no network."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(PROBE_ADDRESS)  # UDP connect sends no packet: it only picks the route
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return address if _usable(address) else None


def local_addresses() -> list[str]:
    """Non-loopback IPv4 addresses of this machine, the default route's first."""
    found: list[str] = []
    routed = routed_address()
    if routed:
        found.append(routed)
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET, socket.SOCK_STREAM)
    except OSError:
        infos = []
    for info in infos:
        address = str(info[4][0])
        if _usable(address) and address not in found:
            found.append(address)
    return found
