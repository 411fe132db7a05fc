"""Logs: emails and French phone numbers are masked before anything is written; other numbers are kept."""

from __future__ import annotations

import json
import logging

import pytest

from activateurs.shared.logging import configure_logging, redact


@pytest.mark.parametrize("phone", ["+33 6 12 34 56 78", "06 12 34 56 78", "0612345678", "06.12.34.56.78"])
def test_redact_masks_french_phone_numbers(phone: str):
    assert redact(f"call {phone} now") == "call [phone] now"


@pytest.mark.parametrize("email", ["claire.durand@numerique-et-co.fr", "a+tag@example.com"])
def test_redact_masks_email_addresses(email: str):
    assert redact(f"from <{email}>") == "from <[email]>"


@pytest.mark.parametrize("text", [
    "dossier 123e4567-e89b-12d3-a456-426614174000",
    "dossier 12345678-1234-1234-1234-123456789012",
    "due 2025-03-01 and at 2025-03-01T10:15:30+01:00",
    "listening on 127.0.0.1:5432 and :8005",
])
def test_redact_keeps_uuids_iso_dates_and_ports(text: str):
    assert redact(text) == text


@pytest.fixture(autouse=True)
def _restore_root_logger():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield
    root.handlers[:], level = saved
    root.setLevel(level)


def _json_records(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_a_log_record_carries_no_email_even_as_argument_or_extra(capsys):
    configure_logging("demo")  # here, not in a fixture: capsys swaps sys.stdout when the test starts
    log = logging.getLogger("activateurs.demo")
    log.warning("sending to %s", "claire.durand@example.fr", extra={"recipient": "claire.durand@example.fr"})
    (record,) = _json_records(capsys)
    assert "@" not in json.dumps(record)
    assert record["message"] == "sending to [email]"
    assert record["recipient"] == "[email]"
    assert (record["service"], record["level"]) == ("demo", "WARNING")


def test_emails_nested_in_a_structured_extra_are_masked(capsys):
    configure_logging("demo")
    logging.getLogger("activateurs.demo").info(
        "batch", extra={"recipients": ["a@example.fr", "b@example.fr"], "request": {"to": "c@example.fr", "n": 2}})
    (record,) = _json_records(capsys)
    assert "@" not in json.dumps(record)
    assert record["recipients"] == ["[email]", "[email]"]
    assert record["request"] == {"to": "[email]", "n": 2}


def test_an_exception_message_carries_no_email(capsys):
    configure_logging("demo")
    log = logging.getLogger("activateurs.demo")
    try:
        raise ValueError("unknown account claire.durand@example.fr")
    except ValueError:
        log.exception("lookup failed")
    (record,) = _json_records(capsys)
    assert "@" not in json.dumps(record)
    assert "ValueError" in json.dumps(record)
