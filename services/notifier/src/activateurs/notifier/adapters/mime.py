"""Builds the RFC 5322 message once, at intake: the bytes stored are the bytes sent, on every attempt."""

from __future__ import annotations

import base64
import functools
import uuid
from email.charset import BASE64, Charset
from email.header import Header
from email.utils import formataddr, parseaddr

_UTF8_HEADERS = Charset("utf-8")
_UTF8_HEADERS.header_encoding = BASE64  # one encoding, not "shortest of two": 3x cheaper


def encode_header(value: str) -> str:
    """An ASCII header value as is; anything else as RFC 2047 encoded words."""
    return value if value.isascii() else Header(value, _UTF8_HEADERS).encode()


@functools.lru_cache(maxsize=64)  # in practice one value: MAIL_FROM
def encode_address(value: str) -> str:
    name, address = parseaddr(value)
    return formataddr((encode_header(name), address)) if name else address


def build_message(*, mail_from: str, to: str, subject: str, text: str, html: str, message_id: str, date: str,
                  template: str) -> bytes:
    """multipart/alternative (plain text, then HTML), UTF-8 bodies in base64, CRLF line ends.

    Written out directly rather than through email.message: its generator re-folds every
    header through the Header machinery, ten times the cost of the rest of an intake. The
    result is checked by parsing it back with the standard library in the tests. Header values
    are refused if they carry a line break (header injection).
    """
    given = {"From": mail_from, "To": to, "Subject": subject, "Date": date, "Message-ID": message_id,
             "X-Activateurs-Template": template}
    for name, value in given.items():
        if "\r" in value or "\n" in value:
            raise ValueError(f"line break in the {name} header")
    headers = {**given, "From": encode_address(mail_from), "Subject": encode_header(subject),
               "Auto-Submitted": "auto-generated"}  # RFC 3834: no auto-replies to us
    boundary = f"=_activateurs_{uuid.uuid4().hex}"
    # Long encoded values come folded with "\n "; on the wire a fold is CRLF + space.
    lines = [f"{name}: {value.replace(chr(10), chr(13) + chr(10))}" for name, value in headers.items()]
    lines += ["MIME-Version: 1.0", f'Content-Type: multipart/alternative; boundary="{boundary}"', ""]
    for subtype, body in (("plain", text), ("html", html)):
        lines += [f"--{boundary}", f'Content-Type: text/{subtype}; charset="utf-8"',
                  "Content-Transfer-Encoding: base64", "",
                  base64.encodebytes(body.encode()).decode().replace("\n", "\r\n").rstrip("\r\n")]
    lines += [f"--{boundary}--", ""]
    return "\r\n".join(lines).encode("ascii")


def envelope_sender(mail_from: str) -> str:
    return parseaddr(mail_from)[1]
