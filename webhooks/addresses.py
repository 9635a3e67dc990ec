"""Where a webhook may go. A desk on the Internet must not be turned into a
probe of its own network: destinations on loopback, private, link-local,
multicast, reserved or unspecified addresses are refused (IPv4 and IPv6,
IPv4-mapped included) unless ``ITSM_WEBHOOKS_ALLOW_PRIVATE`` allows the
internal ones, for an intranet desk. The URL is checked when a subscription
is saved, its name resolved again before each delivery, and the address the
connection actually reached checked once more (``webhooks.http``), so a
name that changes its answer between the check and the request gains
nothing."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedDestination(ValidationError):
    """The URL or the address it resolves to may not receive webhooks."""


def _plain(address: str) -> IPAddress:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def address_problem(address: str) -> str | None:
    """Why this address may not receive webhooks, in words for the admin, or None."""
    ip = _plain(address)
    # Never, whatever the setting: nothing legitimate listens there.
    if ip.is_multicast:
        return _("%(address)s is a multicast address.") % {"address": ip}
    if ip.is_unspecified:
        return _("%(address)s is an unspecified address.") % {"address": ip}
    if settings.ITSM_WEBHOOKS_ALLOW_PRIVATE:
        return None
    if ip.is_loopback:
        return _("%(address)s is a loopback address.") % {"address": ip}
    if ip.is_link_local:
        return _("%(address)s is a link-local address.") % {"address": ip}
    if ip.is_private:
        return _("%(address)s is a private address.") % {"address": ip}
    if ip.is_reserved or not ip.is_global:
        return _("%(address)s is a reserved address.") % {"address": ip}
    return None


def check_url(url: str) -> tuple[str, int]:
    """The host and port of a URL webhooks may use; RefusedDestination if not."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedDestination(_("Give an http:// or https:// address."), code="scheme")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise RefusedDestination(_("The port of the address is not valid."), code="port") from None
    return parts.hostname, port


def check_destination(url: str) -> None:
    """Refuse a URL whose host is, or resolves to, an address webhooks may
    not reach (every address the name has)."""
    host, port = check_url(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise RefusedDestination(
            _("The name %(host)s does not resolve to any address.") % {"host": host},
            code="unresolved",
        ) from None
    for *_rest, sockaddr in found:
        problem = address_problem(sockaddr[0])
        if problem:
            raise RefusedDestination(
                _("Webhooks cannot be sent to %(host)s: %(problem)s")
                % {"host": host, "problem": problem},
                code="refused_address",
            )
