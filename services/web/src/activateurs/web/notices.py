"""What an action says on the page it redirects to (post/redirect/get): one signed cookie, read once."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request

NOTICE_COOKIE = "activateurs_notice"
NOTICE_SECONDS = 120  # long enough for the redirect, not for a stale message on a later visit


class Notices:
    def __init__(self, secret: str, secure: bool) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="activateurs-web-notice")
        self.flags = "; HttpOnly; Path=/; SameSite=lax" + ("; Secure" if secure else "")

    def say(self, text: str) -> str:
        """The Set-Cookie header that shows `text` on the next page."""
        return f"{NOTICE_COOKIE}={self.serializer.dumps(text)}; Max-Age={NOTICE_SECONDS}{self.flags}"

    def read(self, request: Request) -> tuple[str | None, str | None]:
        """(the notice to show, the Set-Cookie header that clears it), or (None, None)."""
        raw = request.cookies.get(NOTICE_COOKIE)
        if not raw:
            return None, None
        clear = f"{NOTICE_COOKIE}=; Max-Age=0{self.flags}"
        try:
            return str(self.serializer.loads(raw, max_age=NOTICE_SECONDS)), clear
        except BadSignature:
            return None, clear
