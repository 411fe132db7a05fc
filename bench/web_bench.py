"""Web: the results page and the profile page beside the directory API's own answer to the same query; the weight
of a profile page; what a repeat visit fetches again of the static files.

The web renders each page from one directory call (one more hop, then Jinja2), so its baseline is that call,
measured in the same run against the same directory process: `GET /activateurs?<query>` beside
`GET /api/v1/activators?<query>&page=1&page_size=20` (what the page asks), `GET /activateurs/{slug}` beside
`GET /api/v1/activators/{slug}`. Same method as the directory section: alternating rounds, each ratio taken
against the baseline measured just before it, the median of those ratios reported.

Run alone: `make bench ONLY=web` (needs `make web-assets`: the web refuses to start without its static bundle).
"""

from __future__ import annotations

import asyncio
import gzip
import os
import random
import re
import statistics
import subprocess
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import asyncpg
import httpx

from bench.directory_bench import CLIENTS, Load, load, search_paths
from bench.section import Section
from tests.support.infra import DatabaseFactory, create_vhost, delete_vhost
from tests.support.processes import BIN, ServiceProcess
from tests.support.smtp import free_port

# Fewer profiles than the directory section (100,000): seeding them would take a minute of this section's three,
# and both sides of every ratio read the same directory, so its size moves both alike.
PROFILES = int(os.environ.get("BENCH_WEB_PROFILES", "20000"))
SECONDS = 4.0
WARMUP = 1.0
ROUNDS = 5  # odd: the median is a measured round; five, as a 2-core machine's rounds move a lot
GOALS = {"results": 0.50, "profile": 0.50}
PROFILE_KB_GOAL = 60.0  # kB = 1,000 bytes of HTML, as served (uncompressed)
ONE_YEAR = 31_536_000
HEAVIEST = 20  # the profiles with the largest stored JSON, weighed one by one
WEIGHED_RANDOM = 100
PAGE_SIZE = 20  # what the results page asks the directory for
ROOT = Path(__file__).resolve().parents[1]
STATIC_DIR = Path(os.environ.get("WEB_STATIC_DIR", ROOT / "services" / "web" / "build" / "static"))


# --- what a page makes a browser fetch ---------------------------------------------------------------------------

# <link rel=…> that a browser fetches (a canonical or alternate link is only an address).
FETCHED_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload", "manifest",
                "mask-icon", "prefetch"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


class _Subresources(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "link" and FETCHED_RELS & set(found.get("rel", "").lower().split()):
            self.urls.append(found.get("href", ""))
        elif tag in ("script", "img", "source", "video", "audio", "iframe", "embed", "input") and found.get("src"):
            self.urls.append(found["src"])
        elif tag == "object" and found.get("data"):
            self.urls.append(found["data"])
        for name in ("srcset", "imagesrcset"):
            if found.get(name):
                self.urls += [item.strip().split()[0] for item in found[name].split(",") if item.strip()]
        if found.get("style"):
            self.urls += [match[1] for match in CSS_URL.findall(found["style"])]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def subresources(html: str, page_url: str) -> list[str]:
    """Every URL the page makes a browser fetch (styles, scripts, images, icons), absolute."""
    parser = _Subresources()
    parser.feed(html)
    return [urljoin(page_url, url) for url in parser.urls if url and not url.startswith(("data:", "#"))]


def css_references(css: str, css_url: str) -> list[str]:
    """The fonts and images a stylesheet refers to (url(…), relative to the stylesheet), absolute."""
    return [urljoin(css_url, url) for _, url in CSS_URL.findall(css) if not url.startswith(("data:", "#"))]


def cacheable_for_a_year(cache_control: str) -> bool:
    """A browser keeps it a year without asking again: `max-age` ≥ 1 year and `immutable`, neither no-store
    nor no-cache."""
    directives = {}
    for item in cache_control.lower().split(","):
        name, _, value = item.strip().partition("=")
        directives[name.strip()] = value.strip().strip('"')
    try:
        max_age = int(directives.get("max-age", "0"))
    except ValueError:
        max_age = 0
    return (max_age >= ONE_YEAR and "immutable" in directives and "no-store" not in directives
            and "no-cache" not in directives)


@dataclass
class RepeatVisit:
    pages: list[str]
    static: dict[str, str] = field(default_factory=dict)  # URL → its Cache-Control (or why it failed)
    from_css: int = 0  # how many of them only a stylesheet refers to
    elsewhere: list[str] = field(default_factory=list)  # subresources not under /static/

    @property
    def refetched(self) -> dict[str, str]:
        """The static files a repeat visit would ask for again."""
        return {url: why for url, why in self.static.items() if not cacheable_for_a_year(why)}


async def repeat_visit(base_url: str, page_paths: list[str]) -> RepeatVisit:
    """Fetch the pages as a browser's first visit would, then every static file they and their CSS refer to."""
    visit = RepeatVisit(page_paths)
    origin = urlsplit(base_url).netloc
    async with httpx.AsyncClient(base_url=base_url, timeout=10.0, headers={"Accept-Encoding": "gzip"}) as client:
        pending: list[tuple[str, bool]] = []
        for path in page_paths:
            page = await client.get(path)
            page.raise_for_status()
            for url in subresources(page.text, str(page.url)):
                parts = urlsplit(url)
                if parts.netloc == origin and parts.path.startswith("/static/"):
                    pending.append((url, False))
                elif url not in visit.elsewhere:
                    visit.elsewhere.append(url)
        while pending:
            url, via_css = pending.pop(0)
            key = urlsplit(url)._replace(fragment="").geturl()
            if key in visit.static:
                continue
            answer = await client.get(key)
            visit.static[key] = (answer.headers.get("cache-control", "(no Cache-Control)") if answer.status_code == 200
                                 else f"status {answer.status_code}")
            visit.from_css += via_css
            if answer.status_code == 200 and "css" in answer.headers.get("content-type", ""):
                for ref in css_references(answer.text, key):
                    parts = urlsplit(ref)
                    if parts.netloc == origin and parts.path.startswith("/static/"):
                        pending.append((ref, True))
                    elif ref not in visit.elsewhere:
                        visit.elsewhere.append(ref)
    return visit


async def weigh_profiles(base_url: str, slugs: list[str]) -> list[tuple[int, int, str]]:
    """(HTML bytes as served, the same gzipped, slug) of each profile page."""
    weights = []
    async with httpx.AsyncClient(base_url=base_url, timeout=10.0) as client:
        for slug in slugs:
            page = await client.get(f"/activateurs/{slug}")
            page.raise_for_status()
            weights.append((len(page.content), len(gzip.compress(page.content, 6)), slug))
    return weights


# --- the run -------------------------------------------------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far: unlike rates, not moved by other loads on the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measured(name: str, port: int, paths: list[str], pids: dict[str, int]) -> tuple[Load, dict[str, float]]:
    """A load, and the CPU milliseconds each process spent per request over its measured seconds."""
    async def after_warmup() -> dict[str, float]:
        await asyncio.sleep(WARMUP)
        return {who: cpu_seconds(pid) for who, pid in pids.items()}

    start = asyncio.create_task(after_warmup())
    result = await load(name, port, paths, seconds=SECONDS, warmup=WARMUP)
    end = {who: cpu_seconds(pid) for who, pid in pids.items()}
    begin = await start
    return result, {who: (end[who] - begin[who]) * 1000 / max(result.requests, 1) for who in pids}


def _median(loads: list[Load]) -> Load:
    return sorted(loads, key=lambda r: r.per_second)[len(loads) // 2]


async def _page_ok(url: str, timeout: float = 30.0) -> None:
    """The web answers a page (its readiness says only that the APIs are alive)."""
    deadline = asyncio.get_running_loop().time() + timeout
    async with httpx.AsyncClient(timeout=5.0) as client:
        while True:
            try:
                answer = await client.get(url)
                if answer.status_code == 200:
                    return
                why = f"status {answer.status_code}"
            except httpx.HTTPError as error:
                why = type(error).__name__
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{url}: {why}")
            await asyncio.sleep(0.3)


async def section() -> Section:
    if not (STATIC_DIR / "manifest.json").exists():
        raise SystemExit(f"no static bundle in {STATIC_DIR}: run `make web-assets` first")
    load_before = os.getloadavg()[0]
    databases = DatabaseFactory()
    vhost, amqp_url = create_vhost()
    database_url = await databases.fresh("directory")
    plain_url = database_url.replace("+asyncpg", "")
    try:
        with tempfile.TemporaryDirectory() as logs:
            directory_env = {"DATABASE_URL": database_url, "RABBITMQ_URL": amqp_url, "LOG_LEVEL": "WARNING"}
            seeding = subprocess.run([str(BIN / "activateurs-directory"), "seed", "--count", str(PROFILES)],
                                     env={**os.environ, **directory_env}, capture_output=True, text=True, check=True)
            directory = ServiceProcess("directory", port=free_port(), log_dir=Path(logs), env=directory_env)
            directory.start()
            web_port = free_port()
            # Only the directory is on these pages' path; the other APIs the web's readiness asks about point at it
            # too, so that nothing outside this run is ever called.
            web = ServiceProcess("web", port=web_port, log_dir=Path(logs), env={
                "LOG_LEVEL": "WARNING", "ENVIRONMENT": "development", "PUBLIC_BASE_URL": f"http://127.0.0.1:{web_port}",
                "WEB_STATIC_DIR": str(STATIC_DIR),
                **{f"WEB_{api}_URL": directory.url for api in ("DIRECTORY", "REGISTRATION", "VALIDATION",
                                                               "CONTACT_RELAY", "NOTIFIER")}})
            try:
                await asyncio.to_thread(directory.wait_ready)
                web.start()
                await asyncio.to_thread(web.wait_ready)
                conn = await asyncpg.connect(plain_url)
                try:
                    sample = await conn.fetch("SELECT slug, department FROM structures WHERE online "
                                              "ORDER BY random() LIMIT 5000")
                    heaviest = await conn.fetch("SELECT slug FROM structures WHERE online "
                                                "ORDER BY length(public_json::text) DESC LIMIT $1", HEAVIEST)
                finally:
                    await conn.close()
                # The same 2,000 searches on both sides, in the same order (load() draws by client number).
                queries = [path.split("?", 1)[1] for path in
                           search_paths(sorted({row["department"] for row in sample}), random.Random(1))]
                paths = {"api_search": [f"/api/v1/activators?{q}&page=1&page_size={PAGE_SIZE}" for q in queries],
                         "results": [f"/activateurs?{q}" for q in queries],
                         "api_profile": [f"/api/v1/activators/{row['slug']}" for row in sample],
                         "profile": [f"/activateurs/{row['slug']}" for row in sample]}
                await _page_ok(f"{web.url}{paths['results'][0]}")
                await _page_ok(f"{web.url}{paths['profile'][0]}")
                names = {"api_search": "directory API: search (same queries)", "results": "web: results page",
                         "api_profile": "directory API: profile by slug", "profile": "web: profile page"}
                ports = {"api_search": directory.port, "results": web.port, "api_profile": directory.port,
                         "profile": web.port}
                pids = {"directory": directory._process.pid, "web": web._process.pid}  # type: ignore[union-attr]
                rounds: dict[str, list[Load]] = {key: [] for key in paths}
                cpu: dict[str, list[dict[str, float]]] = {key: [] for key in paths}
                for _ in range(ROUNDS):
                    for key in paths:  # each page right after its baseline
                        result, spent = await measured(names[key], ports[key], paths[key], pids)
                        rounds[key].append(result)
                        cpu[key].append(spent)
                weights = await weigh_profiles(web.url, [row["slug"] for row in heaviest]
                                               + [row["slug"] for row in sample[:WEIGHED_RANDOM]])
                visit = await repeat_visit(web.url, [paths["results"][0], f"/activateurs/{heaviest[0]['slug']}"])
            finally:
                web.stop()
                directory.stop()
    finally:
        await databases.drop_all()
        delete_vhost(vhost)

    load_after = os.getloadavg()[0]
    medians = {key: _median(values) for key, values in rounds.items()}
    cpu_ms = {key: {who: statistics.median(spent[who] for spent in values) for who in ("directory", "web")}
              for key, values in cpu.items()}
    per_round = {page: [r.per_second / b.per_second for r, b in zip(rounds[page], rounds[base], strict=True)]
                 for page, base in (("results", "api_search"), ("profile", "api_profile"))}
    ratios = {page: statistics.median(values) for page, values in per_round.items()}
    heaviest_bytes, heaviest_gzip, heaviest_slug = max(weights)
    random_sizes = sorted(size for size, _, _ in weights[HEAVIEST:])
    median_kb = statistics.median(random_sizes) / 1000 if random_sizes else float("nan")
    heaviest_kb = heaviest_bytes / 1000
    refetched = visit.refetched
    met = {page: ratios[page] >= GOALS[page] for page in GOALS}
    weight_met = heaviest_kb <= PROFILE_KB_GOAL
    visit_met = not refetched and bool(visit.static)

    def row(key: str, ratio: str) -> str:
        result, spent = medians[key], cpu_ms[key]
        return (f"| {result.name} | {result.per_second:.0f} | {result.quantile(0.5) * 1000:.1f} | "
                f"{result.quantile(0.99) * 1000:.1f} | {result.errors} | {spent['directory']:.2f} | "
                f"{spent['web']:.2f} | {ratio} |")

    if visit_met:
        visit_text = (f"repeat visit: **0 static requests** — the {len(visit.static)} static files the pages refer to "
                      f"({len(visit.static) - visit.from_css} in the HTML, {visit.from_css} more in its stylesheets: "
                      "fonts, icons) each answer 200 with an immutable max-age of a year or more "
                      f"(`{next(iter(visit.static.values()))}`)")
    elif not visit.static:
        visit_text = "repeat visit: **NOT met** — the pages refer to no static file under /static/ (nothing checked)"
    else:
        listed = "; ".join(f"`{urlsplit(url).path}`: `{why}`" for url, why in list(refetched.items())[:10])
        visit_text = (f"repeat visit: **{len(refetched)} static requests** of {len(visit.static)} static files — "
                      f"not cacheable for a year: {listed}{' …' if len(refetched) > 10 else ''}")
    elsewhere = (f" Outside /static/ the pages also refer to: {', '.join(f'`{url}`' for url in visit.elsewhere[:10])}"
                 f"{' …' if len(visit.elsewhere) > 10 else ''} (not static files: not counted)."
                 if visit.elsewhere else "")

    markdown = "\n".join([
        "## Web: results page, profile page (server-rendered) beside the directory API",
        "",
        f"{PROFILES:,} published profiles generated by `activateurs-directory seed` ({seeding.stdout.strip()}); "
        "the directory and the web (`activateurs-web serve`, one uvicorn process each) on loopback, the web calling "
        f"the directory over HTTP. {CLIENTS} concurrent keep-alive clients, {SECONDS:g} s per measure after "
        f"{WARMUP:g} s of warm-up, {ROUNDS} alternating rounds (rates: the median round; ratios: the median of each "
        "round's ratio to the directory API measured just before it, for the same queries in the same order). "
        "No cookie is sent back: every page is a first visit's (a new CSRF cookie each time). "
        f"Machine load average (1 min) {load_before:.1f} before, {load_after:.1f} after.",
        f"Searches: a department with free text, a domain, or both (1/3 each); the baseline asks exactly what the page "
        f"asks (`page=1&page_size={PAGE_SIZE}`). Profiles: random slugs. The web keeps the list of places an hour, "
        "so it is not on the measured path.",
        "",
        "| endpoint | req/s | p50 ms | p99 ms | non-200 | directory CPU ms/req | web CPU ms/req | vs directory API |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        row("api_search", "100%"),
        row("results", f"{ratios['results']:.0%}"),
        row("api_profile", "100%"),
        row("profile", f"{ratios['profile']:.0%}"),
        "",
        "CPU ms/req: the process's CPU time (user + system, /proc) over the measured seconds divided by the requests "
        "answered, median of the rounds; unlike the rates it does not move with other work on the machine. The load "
        "generator shares the same cores.",
        "",
        f"Goals: results page ≥ {GOALS['results']:.0%} of the directory's search — "
        f"**{'met' if met['results'] else 'NOT met'}**; profile page ≥ {GOALS['profile']:.0%} of the directory's "
        f"profile — **{'met' if met['profile'] else 'NOT met'}**.",
        "",
        f"Profile page weight (HTML as served, 1 kB = 1,000 bytes): heaviest of the {HEAVIEST} profiles with the "
        f"largest stored JSON {heaviest_kb:.1f} kB (`{heaviest_slug}`, {heaviest_gzip / 1000:.1f} kB gzipped); "
        f"median of {len(random_sizes)} random profiles {median_kb:.1f} kB — goal ≤ {PROFILE_KB_GOAL:.0f} kB "
        f"**{'met' if weight_met else 'NOT met'}**.",
        "",
        f"Static files ({', '.join(f'`{page}`' for page in visit.pages)} fetched as a first visit, then "
        f"every static URL they and their stylesheets refer to): {visit_text}.{elsewhere}",
        "",
        "Rounds (req/s): " + "; ".join(
            f"search {a.per_second:.0f} → results {r.per_second:.0f} ({r.per_second / a.per_second:.0%}), "
            f"profile {b.per_second:.0f} → page {p.per_second:.0f} ({p.per_second / b.per_second:.0%})"
            for a, r, b, p in zip(rounds["api_search"], rounds["results"], rounds["api_profile"], rounds["profile"],
                                  strict=True)) + ".",
    ])
    return Section(markdown, {
        "profiles": PROFILES, "load_average": [load_before, load_after],
        "api_search_rps": medians["api_search"].per_second, "results_rps": medians["results"].per_second,
        "api_profile_rps": medians["api_profile"].per_second, "profile_rps": medians["profile"].per_second,
        "results_ratio": ratios["results"], "profile_ratio": ratios["profile"],
        "cpu_ms_per_request": cpu_ms,
        "results_p50_ms": medians["results"].quantile(0.5) * 1000,
        "results_p99_ms": medians["results"].quantile(0.99) * 1000,
        "profile_p50_ms": medians["profile"].quantile(0.5) * 1000,
        "profile_p99_ms": medians["profile"].quantile(0.99) * 1000,
        "non_200": sum(r.errors for key in ("results", "profile") for r in rounds[key]),
        "profile_html_kb_max": heaviest_kb, "profile_html_kb_median": median_kb,
        "profile_html_gzip_kb_max": heaviest_gzip / 1000,
        "static_files": len(visit.static), "static_files_from_css": visit.from_css,
        "repeat_visit_static_requests": len(refetched) if visit.static else None,
        "static_not_cacheable": dict(list(refetched.items())[:20])})
