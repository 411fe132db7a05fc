"""The message built at intake parses back, with the standard library, to exactly what was rendered."""

from __future__ import annotations

import email
import email.policy

import pytest

from activateurs.notifier.adapters.mime import build_message

MESSAGE = {
    "mail_from": "France Num – Activateurs <ne-pas-repondre@activateurs.francenum.gouv.fr>",
    "to": "claire.durand@example.fr",
    "subject": "Votre demande « Numérique & Co » a été reçue — été 2026 " + "très long " * 12,
    "text": "Bonjour Claire,\n\nÇa marche : voici le lien.\n" + "ligne\n" * 200,
    "html": "<p>Bonjour Claire, ça marche&nbsp;!</p>\n" * 100,
    "message_id": "<0123abcd@activateurs.francenum.gouv.fr>",
    "date": "Thu, 26 Nov 2026 07:00:00 +0000",
    "template": "dossier_received",
}


def test_round_trip_headers_and_both_parts():
    raw = build_message(**MESSAGE)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["From"] == MESSAGE["mail_from"]
    assert parsed["To"] == MESSAGE["to"]
    assert parsed["Subject"] == MESSAGE["subject"]
    assert parsed["Message-ID"] == MESSAGE["message_id"]
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed.get_body(("plain",)).get_content() == MESSAGE["text"]
    assert parsed.get_body(("html",)).get_content() == MESSAGE["html"]
    assert not parsed.defects


def test_lines_are_crlf_and_short():
    raw = build_message(**MESSAGE)
    lines = raw.split(b"\r\n")
    assert b"\n" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 998  # RFC 5322 hard limit


@pytest.mark.parametrize("field", ["to", "subject", "message_id", "template"])
def test_line_breaks_in_headers_are_refused(field):
    with pytest.raises(ValueError, match="line break"):
        build_message(**{**MESSAGE, field: "x\r\nBcc: everyone@example.fr"})
