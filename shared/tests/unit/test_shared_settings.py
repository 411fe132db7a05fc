"""Service settings: no default credentials in production, a per-service default database."""

from datetime import UTC, datetime, timedelta
from typing import ClassVar

import pydantic
import pytest

from activateurs.shared.settings import ServiceSettings


class DemoSettings(ServiceSettings):
    service_name: ClassVar[str] = "demo"
    default_port: ClassVar[int] = 8099


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch):
    for name in ("ENVIRONMENT", "RABBITMQ_URL", "DATABASE_URL", "HTTP_PORT", "PORT", "CLOCK_OFFSET_SECONDS"):
        monkeypatch.delenv(name, raising=False)


def test_production_with_the_default_guest_rabbitmq_url_is_refused():
    with pytest.raises(pydantic.ValidationError, match="RABBITMQ_URL"):
        DemoSettings(environment="production")


def test_production_with_real_credentials_is_accepted():
    settings = DemoSettings(environment="production", rabbitmq_url="amqp://demo:s3cret@rabbit:5672/")
    assert settings.environment == "production"


def test_database_url_defaults_to_the_services_own_database():
    settings = DemoSettings()
    assert settings.database_url.endswith("/activateurs_demo")
    assert settings.http_port == 8099


def test_a_clock_offset_runs_the_process_clock_ahead():
    ahead = DemoSettings(clock_offset_seconds=86_400).clock().now()
    assert timedelta(hours=23, minutes=59) < ahead - datetime.now(UTC) <= timedelta(days=1)
    assert abs(DemoSettings().clock().now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_clock_offset_is_refused_in_production():
    with pytest.raises(pydantic.ValidationError, match="CLOCK_OFFSET_SECONDS"):
        DemoSettings(environment="production", rabbitmq_url="amqp://demo:s3cret@rabbit:5672/",
                     clock_offset_seconds=60)
