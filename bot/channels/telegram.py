"""Telegram through python-telegram-bot: parse updates, send replies, poll for local use.

The webhook itself lives in bot/web/webhooks.py (our ASGI app answers 200 only after the
update is stored; PTB's own webhook server answers earlier, so it is not used).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot.channels.inbox import Inbound, Inbox
from bot.channels.outbox import Pace, RetryLater, Undeliverable
from bot.core.cancel import stop_if_cancelled
from bot.core.types import Media, Outgoing

log = logging.getLogger(__name__)
CALLBACK_DATA_BYTES = 64
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
_MEDIA_FIELDS = (("photo", "image"), ("sticker", "sticker"), ("voice", "audio"), ("audio", "audio"),
                 ("video", "video"), ("video_note", "video"), ("animation", "video"), ("document", "document"),
                 ("contact", "contact"))


class BadUpdate(ValueError):
    """The body is not a Telegram update we can read."""


def make_bot(token: str, api_base: str) -> Bot:
    """A Bot talking to `api_base` (Telegram, a self-hosted Bot API server or a test double)."""
    base = api_base.rstrip("/")
    file_base = base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base + "/file/bot"
    return Bot(token, base_url=base, base_file_url=file_base,
               request=HTTPXRequest(connection_pool_size=16, read_timeout=10, connect_timeout=5),
               get_updates_request=HTTPXRequest(read_timeout=40))


def parse_update(data: Any) -> Inbound | None:
    """An Inbound for a private-chat message, edit or button press; None for updates the bot
    does not handle (groups, channel posts, polls…); BadUpdate when the body is malformed."""
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise BadUpdate("expected a JSON object with an integer update_id")
    try:
        update = Update.de_json(data, None)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BadUpdate(f"not a valid Telegram update ({type(exc).__name__})") from None
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
        if value:
            item = value[-1] if isinstance(value, tuple) else value  # photos come in several sizes
            media.append(Media(kind, getattr(item, "file_id", None), getattr(item, "mime_type", None)))
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


class TelegramSender:
    channel = "telegram"

    def __init__(self, bot: Bot, *, global_rate: float = 30.0, chat_rate: float = 1.0) -> None:
        self.bot = bot
        self.paces: tuple[Pace, ...] = (Pace("chat", chat_rate, per_user=True), Pace("global", global_rate, burst=5))

    async def send(self, user_key: str, address: str, message: Outgoing) -> None:
        oversized = [c for c in message.choices if len(c.payload.encode()) > CALLBACK_DATA_BYTES]
        if oversized:  # content check prevents this; never send Telegram something it refuses
            raise Undeliverable(f"a button payload is longer than {CALLBACK_DATA_BYTES} bytes")
        try:
            image = next((m for m in message.media if m.kind == "image" and m.url), None)
            if image is not None and len(message.text) <= 1024:
                await self.bot.send_photo(int(address), image.url or "", caption=message.text,
                                                 reply_markup=keyboard(message))
            else:
                await self.bot.send_message(int(address), message.text, reply_markup=keyboard(message))
        except RetryAfter as exc:
            raise RetryLater("telegram 429", after=_seconds(exc)) from None
        except Forbidden:
            raise Undeliverable("telegram: the user blocked the bot", blocked=True) from None
        except (BadRequest, ChatMigrated) as exc:
            raise Undeliverable(f"telegram refused the message: {str(exc)[:120]}") from None
        except NetworkError as exc:  # timeouts, 5xx, connection errors
            raise RetryLater(f"telegram network: {str(exc)[:80]}") from None
        except TelegramError as exc:
            raise Undeliverable(f"telegram error: {str(exc)[:120]}") from None

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
