"""Builds the RFC 5322 message once, at intake: the bytes stored are the bytes sent, on every attempt."""

from __future__ import annotations

from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, parseaddr


def build_message(*, mail_from: str, to: str, subject: str, text: str, html: str, message_id: str, date: str,
                  template: str) -> bytes:
    """multipart/alternative (plain text, then HTML), UTF-8.

    The legacy email.mime classes are used on purpose: about three times faster than
    EmailMessage's header registry, which matters at hundreds of mails a second. They do not
    police header values, so this function refuses line breaks itself (header injection).
    """
    headers = {"To": to, "Subject": subject, "Message-ID": message_id, "Date": date, "From": mail_from,
               "X-Activateurs-Template": template}
    for name, value in headers.items():
        if "\r" in value or "\n" in value:
            raise ValueError(f"line break in the {name} header")
    message = MIMEMultipart("alternative")
    name, address = parseaddr(mail_from)
    message["From"] = formataddr((str(Header(name, "utf-8")), address)) if name else address
    message["To"] = to
    message["Subject"] = Header(subject, "utf-8")
    message["Date"] = date
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to us
    message["X-Activateurs-Template"] = template
    message.attach(MIMEText(text, "plain", "utf-8"))
    message.attach(MIMEText(html, "html", "utf-8"))
    return message.as_bytes()


def envelope_sender(mail_from: str) -> str:
    return parseaddr(mail_from)[1]
