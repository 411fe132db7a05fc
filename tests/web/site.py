"""The platform with the web frontend in front of it: the five services, the web process, published structures."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx

from tests.e2e.journeys import Person, accepted_structure, dge_agent
from tests.support.infra import DatabaseFactory
from tests.support.platform import Platform
from tests.support.processes import ServiceProcess
from tests.support.smtp import ReceivedMail, free_port

# Names that search and slugs make something of (accents, an ampersand), in Paris and overseas.
STRUCTURES = {
    "Numérique & Co": {},
    "Web Atelier Réunion": {
        "address": {"street": "3 rue de Paris", "postal_code": "97400", "city": "Saint-Denis"},
        "intervention_area": {"departments": ["974"], "national": False},
        "domains": ["site_internet_ecommerce", "reseaux_sociaux_communication"],
        "description": "Création de boutiques en ligne et animation des réseaux sociaux pour les commerces de La Réunion.",
    },
}


@dataclass
class Site:
    """`async with Site(databases, vhost, log_dir) as site:` — everything up; `site.web` is an HTTP client."""

    databases: DatabaseFactory
    vhost: str
    log_dir: Path
    port: int = field(default_factory=free_port)
    slugs: dict[str, str] = field(default_factory=dict)
    referents: dict[str, Person] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.url = f"http://127.0.0.1:{self.port}"
        # Every test's browser comes from 127.0.0.1: the per-address limit is raised so the suite's requests
        # added up never reach it (the per-email limit, which a test reaches on purpose, stays as it is).
        self.platform = Platform(self.databases, self.vhost, self.log_dir, env={"PUBLIC_BASE_URL": self.url},
                                 service_env={"contact-relay": {"CONTACT_RELAY_RATE_LIMIT_PER_ADDRESS": "1000"},
                                              # renewal open from acceptance (24 months): a test renews at once
                                              "registration": {"REGISTRATION_RENEWAL_WINDOW_DAYS": "800"}})
        self.web = httpx.AsyncClient(base_url=self.url, timeout=30)
        self.process: ServiceProcess | None = None

    def web_env(self) -> dict[str, str]:
        urls = self.platform.urls
        return {"ENVIRONMENT": "test", "PUBLIC_BASE_URL": self.url, "LOG_LEVEL": "INFO",
                "WEB_REGISTRATION_URL": urls["registration"], "WEB_VALIDATION_URL": urls["validation"],
                "WEB_DIRECTORY_URL": urls["directory"], "WEB_CONTACT_RELAY_URL": urls["contact-relay"],
                "WEB_NOTIFIER_URL": urls["notifier"], "WEB_SECRET_KEY": "web tests secret"}

    async def __aenter__(self) -> Site:
        await self.platform.__aenter__()
        try:
            self.process = ServiceProcess("web", port=self.port, env=self.web_env(), log_dir=self.log_dir)
            self.process.start()
            await asyncio.to_thread(self.process.wait_ready, 60)
            dge = await dge_agent(self.platform)
            for name, fields in STRUCTURES.items():
                person = Person.unusual()
                _, self.slugs[name] = await accepted_structure(self.platform, person, name, dge, **fields)
                self.referents[name] = person
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        traceback: TracebackType | None) -> None:
        await self.web.aclose()
        if self.process is not None:
            await asyncio.to_thread(self.process.stop)
        await self.platform.__aexit__(kind, error, traceback)

    def log_text(self) -> str:
        return self.process.log_text() if self.process else ""

    def link(self, mail: ReceivedMail, path: str) -> str:
        """The first link to this site's `path` in the mail's text."""
        found = re.search(re.escape(self.url + path) + r"[^\s<>\"')\]]*", mail.part("text/plain"))
        assert found, f"no {path} link in the mail:\n{mail.part('text/plain')}"
        return found.group(0)
