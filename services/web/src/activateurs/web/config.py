"""Web settings: where each API answers, the signing secret of forms, the built static bundle (WEB_*)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from activateurs.shared.settings import ProcessSettings

DEVELOPMENT_SECRET = "development-only-web-secret-change-me"
# `make` builds the bundle here (services/web/build/static); images build it at the same place.
DEFAULT_STATIC_DIR = Path(__file__).resolve().parents[3] / "build" / "static"


class WebSettings(ProcessSettings):
    model_config = SettingsConfigDict(env_prefix="WEB_", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "web"
    default_port: ClassVar[int] = 8000

    registration_url: str = "http://127.0.0.1:8001"
    validation_url: str = "http://127.0.0.1:8002"
    directory_url: str = "http://127.0.0.1:8003"
    contact_relay_url: str = "http://127.0.0.1:8004"
    notifier_url: str = "http://127.0.0.1:8005"
    # Each API call gives up after this long: the person sees a 503 page instead of waiting.
    api_timeout_seconds: float = Field(5.0, gt=0)
    # Kept-alive connections per API: as many as pages are rendered at once, beyond that they wait.
    api_connections: int = Field(20, ge=1)
    # Signs the CSRF tokens of forms (and, with the extranet, the session cookie).
    secret_key: str = DEVELOPMENT_SECRET
    csrf_max_age_seconds: int = Field(4 * 3600, ge=60)
    static_dir: Path = DEFAULT_STATIC_DIR
    # Places (regions, departments) change once a year: the directory's list is kept this long.
    places_cache_seconds: float = 3600.0

    @property
    def secure_cookies(self) -> bool:
        """Cookies go over HTTPS only, except on a developer's plain-HTTP machine."""
        return self.environment == "production" or self.public_base_url.startswith("https://")

    def insecure_defaults(self) -> dict[str, bool]:
        return {"WEB_SECRET_KEY": self.secret_key == DEVELOPMENT_SECRET}
