"""SMTP delivery with aiosmtplib over a small pool of kept-open connections; errors sorted permanent/transient."""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass

import aiosmtplib


class SendError(Exception):
    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: str = "none"  # none | starttls | tls
    timeout: float = 30.0
    ca_file: str | None = None


class SmtpPool:
    """Up to `size` open SMTP sessions reused across mails; a session that errs is closed and replaced."""

    def __init__(self, config: SmtpConfig, size: int) -> None:
        self._config = config
        self._tls_context = ssl.create_default_context(cafile=config.ca_file) if config.tls != "none" else None
        self._idle: asyncio.LifoQueue[aiosmtplib.SMTP] = asyncio.LifoQueue()
        self._slots = asyncio.Semaphore(size)
        # What a trace says of the send: the server, never the addresses or the message.
        self.span_attributes = {"server.address": config.host, "server.port": config.port,
                                "network.protocol.name": "smtp"}

    async def send(self, sender: str, recipient: str, message: bytes) -> None:
        async with self._slots:
            client = await self._client()
            try:
                await client.sendmail(sender, [recipient], message)
            except BaseException as error:
                await _close_quietly(client)
                if isinstance(error, Exception):
                    raise _classify(error) from error
                raise
            self._idle.put_nowait(client)

    async def _client(self) -> aiosmtplib.SMTP:
        while not self._idle.empty():
            client = self._idle.get_nowait()
            if client.is_connected:
                return client
        config = self._config
        client = aiosmtplib.SMTP(
            hostname=config.host,
            port=config.port,
            username=config.username or None,
            password=config.password or None,
            use_tls=config.tls == "tls",
            start_tls=config.tls == "starttls",
            timeout=config.timeout,
            tls_context=self._tls_context,
        )
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError) as error:
            raise _classify(error) from error
        return client

    async def close(self) -> None:
        while not self._idle.empty():
            await _close_quietly(self._idle.get_nowait())


async def _close_quietly(client: aiosmtplib.SMTP) -> None:
    try:
        if client.is_connected:
            async with asyncio.timeout(2.0):
                await client.quit()
    except Exception:
        client.close()


def _classify(error: Exception) -> SendError:
    """5xx refusals of the recipient or the message are permanent; the rest may succeed later."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [refusal.code for refusal in error.recipients]
        permanent = bool(codes) and all(code >= 500 for code in codes)
        return SendError(f"recipient refused ({', '.join(map(str, codes))})", permanent=permanent)
    if isinstance(error, aiosmtplib.SMTPRecipientRefused):
        return SendError(f"recipient refused ({error.code})", permanent=error.code >= 500)
    if isinstance(error, aiosmtplib.SMTPDataError):
        return SendError(f"message refused ({error.code})", permanent=error.code >= 500)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        # Sender refusal, authentication: the server's or our configuration, not this mail's fault.
        return SendError(f"SMTP error {error.code}", permanent=False)
    return SendError(f"SMTP unavailable ({type(error).__name__})", permanent=False)
