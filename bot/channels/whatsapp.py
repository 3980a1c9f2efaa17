"""WhatsApp through Twilio: verify and parse webhooks, send through the REST API.

Replies never go in the webhook's TwiML answer: the webhook stores the message and answers at
once, and the outbox sends through the REST API (so a slow turn, a retry or a crash does not
lose or double a reply). WhatsApp only allows free-form messages within 24 hours of the user's
last message; outside it a configured template (a Spanish invitation to reply) goes out and
the messages wait until the user writes again. A weekly tip or a broadcast carries its own approved
template (`whatsapp_template:` of its content key, docs/formats.md): outside the window that goes instead.

Webhook forms are read strictly (read_form, parse_form): a From that is not a WhatsApp number, a
field too long or not valid UTF-8 is a BadForm (400 at the webhook, nothing stored).

Choices go out as buttons or a list (Content API resources made by `whatsapp sync-content`, see
whatsapp_content.py) when their shape has a current SID, else as numbered lines; a tapped button
(ButtonPayload) or list item (ListId) comes back as the same choice payload, a typed number too.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Mapping
from urllib.parse import parse_qsl

import aiohttp
from redis.asyncio import Redis
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.channels.whatsapp_content import ContentMap, Interactive
from bot.core.types import Media, Outgoing
from bot.delivery.inbox import Inbound
from bot.delivery.outbox import OutsideWindow, Pace, RetryLater, Undeliverable, record_failure
from bot.delivery.reach import Reach
from bot.store.broadcasts import BroadcastCounters
from bot.store.keys import Keys

log = logging.getLogger(__name__)
OPTED_OUT = 21610  # "Attempt to send to unsubscribed recipient"
OUTSIDE_WINDOW = 63016  # "Failed to send freeform message because you are outside the allowed window"
TOO_MANY_REQUESTS = 20429  # Twilio's own code for a 429
SENT_DAYS = 7  # how long a sent message's SID still maps to its user, for late status callbacks
SEND_TIMEOUT = 60.0  # seconds for one REST call: a slow answer is waited for rather than sent again
MAX_FIELDS = 100  # a Twilio message form has about 20 fields, 10 media add 20 more
MAX_TEXT = 10_000  # WhatsApp allows 4,096 characters in a message
_SID = re.compile(r"[A-Za-z]{2}[0-9A-Za-z]{1,62}")
_WHATSAPP_NUMBER = re.compile(r"whatsapp:\+[1-9][0-9]{4,16}")
_STATUS = re.compile(r"[a-z_]{1,32}")
_ERROR_CODE = re.compile(r"[0-9]{0,10}")


def _sent_key(namespace: str, sid: str) -> str:
    return Keys(namespace).whatsapp(sid, "sent")


class BadForm(ValueError):
    """The webhook's form is not a Twilio WhatsApp message."""


def signature_ok(auth_token: str, url: str, params: Mapping[str, str], signature: str | None) -> bool:
    """Twilio's own check (HMAC-SHA1 of the exact public URL and the sorted form, constant time)."""
    if not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, dict(params), signature))


def _media_kind(content_type: str) -> str:
    major = content_type.split("/", 1)[0]
    return {"image": "image", "audio": "audio", "video": "video"}.get(major, "document")


def read_form(body: bytes) -> dict[str, str]:
    """An application/x-www-form-urlencoded body as a dict; BadForm when it is not valid UTF-8
    (percent-encoded or not) or has more than MAX_FIELDS fields."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict",
                          max_num_fields=MAX_FIELDS)
    except ValueError:  # UnicodeDecodeError too
        raise BadForm("expected a form in UTF-8 with at most 100 fields") from None
    return dict(pairs)


def _coordinate(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise BadForm("Latitude and Longitude must be numbers") from None
    if not math.isfinite(number) or abs(number) > 180:
        raise BadForm("Latitude and Longitude must be numbers")
    return number


def parse_form(form: Mapping[str, str]) -> Inbound:
    sid, sender = form.get("MessageSid", ""), form.get("From", "")
    if not _SID.fullmatch(sid) or not _WHATSAPP_NUMBER.fullmatch(sender):
        raise BadForm("expected MessageSid and a From of the form whatsapp:+<number>")
    try:
        count = int(form.get("NumMedia", "0") or 0)
    except ValueError:
        raise BadForm("NumMedia must be a number") from None
    if any(len(value) > MAX_TEXT for value in form.values()):
        raise BadForm(f"a field is longer than {MAX_TEXT} characters")
    media = [Media(_media_kind(form.get(f"MediaContentType{i}", "")), form.get(f"MediaUrl{i}"),
                   form.get(f"MediaContentType{i}")) for i in range(max(0, min(count, 10)))]
    if form.get("Latitude") and form.get("Longitude"):
        media.append(Media("location", f"{_coordinate(form['Latitude'])},{_coordinate(form['Longitude'])}"))
    payload = form.get("ButtonPayload") or form.get("ListId") or None  # a tapped button, or a list item
    if payload is not None and len(payload) > 256:
        raise BadForm("ButtonPayload or ListId is longer than 256 characters")
    text = None if payload else (form.get("Body") or None)
    return Inbound("whatsapp", sender, sid, text=text, choice=payload, media=tuple(media))


def make_client(account_sid: str, auth_token: str, api_base: str | None) -> Client:
    client = Client(account_sid, auth_token, http_client=AsyncTwilioHttpClient(timeout=SEND_TIMEOUT))
    if api_base:
        client.api.base_url = api_base.rstrip("/")
    return client


class TwilioSender:
    channel = "whatsapp"

    def __init__(self, client: Client, redis: Redis, namespace: str, *, sender: str, status_callback: str | None,
                 template_sid: str | None = None, rate: float = 10.0, contents: ContentMap | None = None,
                 audio_url: Callable[[str], str | None] | None = None) -> None:
        """`audio_url` turns a recording's reference into a signed link Twilio fetches (bot/app/audio_links.py)."""
        self.client = client
        self.redis = redis
        self.ns = namespace
        self.sender = sender if sender.startswith("whatsapp:") else f"whatsapp:{sender}"
        self.status_callback = status_callback
        self.template_sid = template_sid
        self.reach = Reach(redis, namespace)
        self.paces: tuple[Pace, ...] = (Pace("sender", rate),)
        self.contents = contents or ContentMap(None)
        self.audio_url = audio_url

    async def aclose(self) -> None:
        http = self.client.http_client
        if isinstance(http, AsyncTwilioHttpClient):
            await http.close()

    async def send(self, user_key: str, address: str, message: Outgoing) -> str | None:
        if not await self.reach.window_open(user_key):
            if message.template is not None:  # a tip or broadcast: its approved template goes instead
                sid = await self._create(address, content_sid=message.template.sid,
                                         content_variables=message.template.variables or None)
                await self._remember(user_key, sid)
                return sid
            await self._invite(user_key, address)
            raise OutsideWindow()
        media = [m.url for m in message.media if m.url and m.kind == "image"] + self._recordings(message)
        interactive = await self._interactive(message) if message.choices and not media else None
        if interactive is not None:
            sid = await self._send_interactive(address, message, interactive)
        else:
            sid = await self._create(address, body=message.text or (None if media else ""), media_url=media or None)
        await self._remember(user_key, sid)
        return sid

    async def _remember(self, user_key: str, sid: str) -> None:
        if self.status_callback:  # a failed/undelivered callback names only the SID: remember whose it was
            await self.redis.set(_sent_key(self.ns, sid), user_key, ex=SENT_DAYS * 86400)

    def _recordings(self, message: Outgoing) -> list[str]:
        refs = [m.url for m in message.media if m.url and m.kind == "audio"]
        if not refs:
            return []
        links = [self.audio_url(ref) for ref in refs] if self.audio_url else []
        if not links or None in links:
            raise Undeliverable("whatsapp: the recording is not in content/<lang>/audio/ or no audio links")
        return [link for link in links if link]

    async def _interactive(self, message: Outgoing) -> Interactive | None:
        return self.contents.interactive(message, await self.contents.afind(message.choices))

    async def _send_interactive(self, address: str, message: Outgoing, interactive: Interactive) -> str:
        """Buttons or a list; if Twilio refuses the content (deleted by a sync this process has not
        seen yet, say), the same message goes as numbered text instead of being lost."""
        try:
            return await self._create(address, content_sid=interactive.found.sid,
                                      content_variables=interactive.variables())
        except Undeliverable as exc:
            if exc.opted_out or exc.blocked:
                raise
            log.warning("whatsapp: content %s refused (%s); sending numbered text", interactive.found.sid,
                        str(exc)[:80])
            self.contents.fallbacks += 1
            return await self._create(address, body=message.text)

    async def _invite(self, user_key: str, address: str) -> None:
        """Outside the window only a template may go out: once, an invitation to write back."""
        if not self.template_sid:
            return
        if not await self.reach.claim_invitation(user_key):
            return
        try:
            await self._create(address, content_sid=self.template_sid)
        except (RetryLater, Undeliverable):
            await self.reach.release_invitation(user_key)
            raise

    async def _create(self, to: str, *, body: str | None = None, media_url: list[str] | None = None,
                      content_sid: str | None = None, content_variables: str | None = None) -> str:
        kwargs: dict[str, object] = {"to": to, "from_": self.sender}
        if body is not None:
            kwargs["body"] = body
        if media_url:
            kwargs["media_url"] = media_url
        if content_sid:
            kwargs["content_sid"] = content_sid
        if content_variables:
            kwargs["content_variables"] = content_variables
        if self.status_callback:
            kwargs["status_callback"] = self.status_callback
        try:
            created = await self.client.messages.create_async(**kwargs)
        except TwilioRestException as exc:
            if exc.status == 429 or exc.code == TOO_MANY_REQUESTS:  # the account's limit: the whole sender waits
                raise RetryLater("twilio 429", rate_limited=True, whole_sender=True) from None
            if exc.status >= 500:
                raise RetryLater(f"twilio {exc.status}") from None
            if exc.code == OPTED_OUT:
                raise Undeliverable("twilio 21610: the user opted out", opted_out=True) from None
            if exc.code == OUTSIDE_WINDOW:
                raise OutsideWindow() from None
            raise Undeliverable(f"twilio {exc.status} (code {exc.code})") from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(f"twilio network: {type(exc).__name__}") from None
        return str(created.sid)


async def record_status(redis: Redis, namespace: str, form: Mapping[str, str]) -> str | None:
    """A delivery status callback: keep the state; a final failure goes to the failed list."""
    sid, status = form.get("MessageSid", ""), form.get("MessageStatus", "")
    if not _SID.fullmatch(sid) or not _STATUS.fullmatch(status):
        raise BadForm("expected MessageSid and MessageStatus")
    if not _ERROR_CODE.fullmatch(form.get("ErrorCode", "")):
        raise BadForm("ErrorCode must be a number")
    await redis.set(Keys(namespace).whatsapp(sid, "status"), status, ex=7 * 86400)
    await BroadcastCounters(redis, namespace).status(sid, status)  # a broadcast's delivered / read / failed
    if status not in ("failed", "undelivered"):
        return status
    found = await redis.get(_sent_key(namespace, sid))
    user = (found.decode() if isinstance(found, bytes) else found) or ""
    code = form.get("ErrorCode", "")
    reach = Reach(redis, namespace)
    if user and code == str(OPTED_OUT):
        await reach.mark_opted_out(user)
    if user and code == str(OUTSIDE_WINDOW):
        await reach.close_window(user)
    await record_failure(redis, namespace, channel="whatsapp", user=user, entry=sid,
                         reason=f"twilio {status} {code}".strip())
    return status
