"""Telegram through python-telegram-bot: verify and parse updates, send replies, poll for local use.

The webhook route lives in bot/web/webhooks.py and only calls `secret_ok` and `parse_update` from
here (our ASGI app answers 200 only after the update is stored; PTB's own webhook server answers
earlier, so it is not used).

Updates are read with strict typed models of the fields the bot uses (a chat id must be an
integer, a text a string…): what does not fit is a BadUpdate (400 at the webhook, nothing stored),
never an exception later in a worker.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot.content.audio import AudioError, probe, resolve
from bot.core.cancel import stop_if_cancelled
from bot.core.limits import TELEGRAM_CAPTION
from bot.core.types import Media, Outgoing
from bot.delivery.inbox import Inbound, Inbox
from bot.delivery.outbox import Pace, RetryLater, Undeliverable

log = logging.getLogger(__name__)
CALLBACK_DATA_BYTES = 64
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
_MEDIA_FIELDS = (("photo", "image"), ("sticker", "sticker"), ("voice", "audio"), ("audio", "audio"),
                 ("video", "video"), ("video_note", "video"), ("animation", "video"), ("document", "document"),
                 ("contact", "contact"))


# How long a send waits for the Bot API's answer. Telegram documents no limit for sending (it gives a
# webhook 60 s); waiting longer than that means a slow answer is read instead of the message being sent
# again after a timeout (README, "Delivery guarantees"). The worker renews its lease meanwhile.
SEND_READ_TIMEOUT = 65.0
ID_LIMIT = 2**63
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # what setWebhook's secret_token comes back in


class BadUpdate(ValueError):
    """The body is not a Telegram update we can read."""


def _storable(value: str) -> str:
    """Text that can be stored and sent on: valid Unicode (a lone surrogate from a \\ud800 escape is not)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("not valid Unicode (lone surrogate)") from None
    return value


Text = Annotated[str, Field(max_length=10_000), AfterValidator(_storable)]
Id = Annotated[str, Field(min_length=1, max_length=512), AfterValidator(_storable)]
Coordinate = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class TgChat(_Strict):
    id: int = Field(gt=-ID_LIMIT, lt=ID_LIMIT)
    type: Annotated[str, Field(max_length=32)]


class TgFile(_Strict):
    file_id: Id
    mime_type: Annotated[str, Field(max_length=255), AfterValidator(_storable)] | None = None


class TgLocation(_Strict):
    latitude: Coordinate
    longitude: Coordinate


class TgMessage(_Strict):
    chat: TgChat
    text: Text | None = None
    caption: Text | None = None
    photo: Annotated[list[TgFile], Field(max_length=20)] | None = None
    sticker: TgFile | None = None
    voice: TgFile | None = None
    audio: TgFile | None = None
    video: TgFile | None = None
    video_note: TgFile | None = None
    animation: TgFile | None = None
    document: TgFile | None = None
    contact: dict[str, Any] | None = None  # only noticed, never read
    location: TgLocation | None = None


class TgButtonMessage(_Strict):
    chat: TgChat


class TgCallback(_Strict):
    id: Id
    data: Annotated[str, Field(max_length=256), AfterValidator(_storable)] | None = None
    message: TgButtonMessage | None = None


class TgUpdate(_Strict):
    update_id: int = Field(ge=0, lt=ID_LIMIT)
    message: TgMessage | None = None
    edited_message: TgMessage | None = None
    callback_query: TgCallback | None = None


def make_bot(token: str, api_base: str) -> Bot:
    """A Bot talking to `api_base` (Telegram, a self-hosted Bot API server or a test double)."""
    base = api_base.rstrip("/")
    file_base = base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base + "/file/bot"
    return Bot(token, base_url=base, base_file_url=file_base,
               request=HTTPXRequest(connection_pool_size=16, read_timeout=SEND_READ_TIMEOUT, connect_timeout=5),
               get_updates_request=HTTPXRequest(read_timeout=40))


def secret_ok(secret: str | None, given: str | None) -> bool:
    """Whether a webhook request carries the secret token we gave setWebhook (constant time).
    Without a configured secret nothing is accepted: a webhook open to anyone is refused."""
    if not secret or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), secret.encode())


def parse_update(data: Any) -> Inbound | None:
    """An Inbound for a private-chat message, edit or button press; None for updates the bot
    does not handle (groups, channel posts, polls…); BadUpdate when the body is malformed."""
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise BadUpdate("expected a JSON object with an integer update_id")
    try:
        update = TgUpdate.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])[:100]
        raise BadUpdate(f"not a valid Telegram update ({where}: {first['type']})") from None
    external_id = f"u{update.update_id}"
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat if query.message is not None else None
        if chat is None or chat.type != "private" or not query.data:
            return None
        return Inbound("telegram", str(chat.id), external_id, choice=query.data, callback_id=query.id)
    message = update.message or update.edited_message
    if message is None or message.chat.type != "private":
        return None
    media: list[Media] = []
    for attr, kind in _MEDIA_FIELDS:
        value = getattr(message, attr, None)
        if isinstance(value, list):  # photos come in several sizes: the last is the largest
            value = value[-1] if value else None
        if isinstance(value, TgFile):
            media.append(Media(kind, value.file_id, value.mime_type))
        elif value:
            media.append(Media(kind))
    if message.location is not None:
        media.append(Media("location", f"{message.location.latitude},{message.location.longitude}"))
    text = message.text or message.caption
    if text is None and not media:
        media.append(Media("other"))
    return Inbound("telegram", str(message.chat.id), external_id, text=text, media=tuple(media),
                   edited=update.edited_message is not None)


def keyboard(message: Outgoing) -> InlineKeyboardMarkup | None:
    if not message.choices:
        return None
    rows = [[InlineKeyboardButton(c.title[:64], callback_data=c.payload)] for c in message.choices]
    return InlineKeyboardMarkup(rows)


def _seconds(exc: RetryAfter) -> float:
    """retry_after is a timedelta with PTB_TIMEDELTA (set in bot/__init__.py), else an int."""
    after = exc.retry_after
    return after.total_seconds() if hasattr(after, "total_seconds") else float(after)


def chat_id_of(address: str) -> int:
    """The chat id in an address; Undeliverable when it is not one (never a crash of the send loop)."""
    try:
        chat_id = int(address)
    except ValueError:
        raise Undeliverable("telegram: the address is not a chat id") from None
    if not -ID_LIMIT < chat_id < ID_LIMIT:
        raise Undeliverable("telegram: the address is not a chat id")
    return chat_id


class TelegramSender:
    channel = "telegram"

    def __init__(self, bot: Bot, *, global_rate: float = 30.0, chat_rate: float = 1.0,
                 content_dir: Path | None = None) -> None:
        self.bot = bot
        self.content_dir = content_dir  # where campaign recordings (content/<lang>/audio/) are read from
        self.paces: tuple[Pace, ...] = (Pace("chat", chat_rate, per_user=True), Pace("global", global_rate, burst=5))

    async def send(self, user_key: str, address: str, message: Outgoing) -> None:
        oversized = [c for c in message.choices if len(c.payload.encode()) > CALLBACK_DATA_BYTES]
        if oversized:  # content check prevents this; never send Telegram something it refuses
            raise Undeliverable(f"a button payload is longer than {CALLBACK_DATA_BYTES} bytes")
        chat_id = chat_id_of(address)
        voice = self._recording(message)
        try:
            image = next((m for m in message.media if m.kind == "image" and m.url), None)
            if voice is not None:  # a campaign recording as a voice note (OGG/Opus, checked by content check)
                path, seconds = voice
                await self.bot.send_voice(chat_id, InputFile(path.read_bytes(), filename=path.name),
                                          duration=seconds, caption=message.text[:TELEGRAM_CAPTION] or None,
                                          reply_markup=keyboard(message))
            elif image is not None and len(message.text) <= TELEGRAM_CAPTION:
                await self.bot.send_photo(chat_id, image.url or "", caption=message.text,
                                          reply_markup=keyboard(message))
            else:
                await self.bot.send_message(chat_id, message.text, reply_markup=keyboard(message))
        except RetryAfter as exc:  # Telegram does not say which limit: the whole bot waits, as PTB's limiter does
            raise RetryLater("telegram 429", after=_seconds(exc), rate_limited=True, whole_sender=True) from None
        except Forbidden:
            raise Undeliverable("telegram: the user blocked the bot", blocked=True) from None
        except (BadRequest, ChatMigrated) as exc:
            raise Undeliverable(f"telegram refused the message: {str(exc)[:120]}") from None
        except NetworkError as exc:  # timeouts, 5xx, connection errors
            raise RetryLater(f"telegram network: {str(exc)[:80]}") from None
        except TelegramError as exc:
            raise Undeliverable(f"telegram error: {str(exc)[:120]}") from None

    def _recording(self, message: Outgoing) -> tuple[Path, int] | None:
        audio = next((m for m in message.media if m.kind == "audio" and m.url), None)
        if audio is None:
            return None
        path = resolve(self.content_dir, audio.url or "") if self.content_dir else None
        if path is None:
            raise Undeliverable("telegram: the recording is not in content/<lang>/audio/")
        try:
            return path, max(1, round(probe(path).seconds))
        except AudioError as exc:
            raise Undeliverable(f"telegram: the recording cannot be sent: {exc}") from None

    async def answer_callback(self, callback_id: str) -> None:
        await self.bot.answer_callback_query(callback_id)


async def poll(bot: Bot, inbox: Inbox) -> None:
    """Polling mode (local use): each update is stored in the inbox before the offset moves on."""
    await bot.delete_webhook()
    offset: int | None = None
    delay = 1.0
    while True:
        stop_if_cancelled()
        try:
            updates = await bot.get_updates(offset=offset, timeout=30, allowed_updates=ALLOWED_UPDATES)
        except RetryAfter as exc:
            await asyncio.sleep(_seconds(exc))
            continue
        except NetworkError as exc:
            log.warning("telegram polling: %s; retrying in %.0f s", type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60)
            continue
        delay = 1.0
        for update in updates:
            try:
                item = parse_update(update.to_dict())
            except BadUpdate:
                item = None
            if item is not None:
                await inbox.accept(item)
            offset = update.update_id + 1
