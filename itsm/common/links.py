"""Links in content someone outside wrote (a customer's mail): kept only when
they lead away from the desk, rewritten to exactly what was checked.

A link into the desk from such content is a request made with the agent's
session that the agent did not choose (a file of another message, a form);
a ``javascript:`` link is a script. Both are refused by allowing, instead of
refusing: an absolute ``http(s)`` URL whose host is not the desk's, a
``mailto:`` or a ``tel:``. Everything else is nobody's link."""

import ipaddress
import re
import unicodedata
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port, validate_host

# What a browser drops before it reads a URL: C0 controls and spaces around
# it, tabs and line breaks anywhere (WHATWG URL, "basic URL parser").
_AROUND = "".join(chr(code) for code in range(0x21))
_ANYWHERE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_HOST_NAME = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$")
_NUMBER = re.compile(r"^(0[xX][0-9a-fA-F]*|[0-9]+)$")


def desk_hosts(request: HttpRequest | None) -> list[str]:
    """The names the desk answers to, as ``ALLOWED_HOSTS`` patterns: the one
    this request used, every allowed host but the wildcard (it would make
    every link the desk's), and the hosts of the trusted CSRF origins."""
    hosts = [host for host in settings.ALLOWED_HOSTS if host != "*"]
    hosts += [urlsplit(origin).hostname or "" for origin in settings.CSRF_TRUSTED_ORIGINS]
    if request is not None:
        hosts.append(split_domain_port(request.get_host())[0])
    return [host.lower().rstrip(".") for host in hosts if host]


def _ipv4(host: str) -> str | None:
    """The dotted quad a browser reads in a host whose last label is a
    number (``2130706433``, ``0x7f.1``, ``017.0.0.1``); None when it is not
    an address at all (a browser refuses it too)."""
    parts = host.split(".")
    if len(parts) > 4:
        return None
    numbers = []
    for part in parts:
        if not _NUMBER.match(part):
            return None
        if part[:2].lower() == "0x":
            numbers.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            if not set(part) <= set("01234567"):
                return None
            numbers.append(int(part, 8))
        else:
            numbers.append(int(part))
    *leading, last = numbers
    if any(number > 255 for number in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return str(ipaddress.IPv4Address(value))


def _canonical_host(raw: str) -> str | None:
    """The host a browser would connect to, in ASCII, or None if it is not
    one we can be sure of."""
    if raw.startswith("["):
        try:
            return f"[{ipaddress.IPv6Address(raw[1:-1].split('%')[0])}]"
        except ValueError:
            return None
    host = unquote(raw).rstrip(".").lower()
    if not host:
        return None
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    # After IDNA mapping: a full-width digit is a digit to the browser too.
    if _NUMBER.match(host.rsplit(".", 1)[-1]):
        return _ipv4(host)
    return host if _HOST_NAME.match(host) else None


def _has_hidden_characters(value: str) -> bool:
    # Controls, format characters (zero-width, bidi overrides), line and
    # paragraph separators: nothing a real link holds, all of them ways to
    # make one read as something else.
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value)


def outside_url(
    value: str, *, desk_hosts: list[str], schemes: frozenset[str] = frozenset({"http", "https"})
) -> str | None:
    """The URL to write for ``value`` when it leads away from the desk, else
    None. ``http(s)`` URLs come back rebuilt from the host that was checked
    (no user part, the host in ASCII), so the browser goes where we looked;
    ``mailto:``/``tel:`` (when in ``schemes``) come back as given."""
    url = _ANYWHERE.sub("", value.strip(_AROUND))
    if url.startswith("//"):
        url = "https:" + url  # protocol-relative, as a page served over HTTPS reads it
    if _has_hidden_characters(url):
        return None
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    if scheme not in schemes:
        return None
    if scheme in ("mailto", "tel"):
        return url if len(url) > len(scheme) + 1 else None
    if not url[len(scheme) + 1 :].startswith("//") or "\\" in url:
        # ``https:host`` and backslashes are read differently by browsers and
        # by Python; a real link has neither.
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    raw_host = parts.netloc.rpartition("@")[2]
    if port is not None or raw_host.endswith(":"):
        raw_host = raw_host.rsplit(":", 1)[0]
    host = _canonical_host(raw_host)
    if host is None or validate_host(host, desk_hosts):
        return None
    authority = host if port is None else f"{host}:{port}"
    rebuilt = f"{scheme}://{authority}{parts.path}"
    if parts.query:
        rebuilt += f"?{parts.query}"
    if parts.fragment:
        rebuilt += f"#{parts.fragment}"
    return rebuilt
