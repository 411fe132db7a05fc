"""The optional website fetch: does the home page link to a legal-notice page? A hint for the DGE, never a verdict."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from urllib.parse import urljoin, urlsplit

import httpx

from ..domain.prechecks import WebsiteHint

_LEGAL_NOTICE = re.compile(r"mentions[\s_-]*l[ée]gales|legal[\s_-]*notice", re.IGNORECASE)
MAX_BYTES = 512 * 1024
MAX_REDIRECTS = 3


class _Refused(Exception):
    pass


async def _check_public(url: str) -> None:
    """The address an applicant typed must not make us probe our own network (SSRF)."""
    host = urlsplit(url).hostname
    if not host:
        raise _Refused("no host in the address")
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise _Refused("the address is not a public one")


def website_probe(timeout: float, *, allow_private: bool = False):  # noqa: ANN201 - the probe coroutine function
    async def probe(url: str) -> WebsiteHint:
        if not url.startswith(("http://", "https://")):
            return WebsiteHint(False, "not an http(s) address: not fetched")
        try:
            async with asyncio.timeout(timeout), httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
                for _ in range(MAX_REDIRECTS + 1):
                    if not allow_private:
                        await _check_public(url)
                    async with client.stream("GET", url, headers={"User-Agent": "activateurs-validation/0.1"}) as page:
                        if page.is_redirect and "location" in page.headers:
                            url = urljoin(url, page.headers["location"])
                            continue
                        body = b""
                        async for chunk in page.aiter_bytes():
                            body += chunk
                            if len(body) > MAX_BYTES:
                                break
                        break
                else:
                    return WebsiteHint(False, "too many redirections")
        except _Refused as refused:
            return WebsiteHint(False, f"not fetched: {refused}")
        except (httpx.HTTPError, OSError, ValueError, TimeoutError) as error:
            return WebsiteHint(False, f"website not reachable ({type(error).__name__})")
        if page.status_code >= 400:
            return WebsiteHint(False, f"website answered {page.status_code}")
        if _LEGAL_NOTICE.search(body.decode(errors="replace")):
            return WebsiteHint(True, "a legal-notice link was found on the home page")
        return WebsiteHint(False, "no legal-notice link found on the home page")

    return probe
