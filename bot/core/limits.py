"""What each platform accepts, owned here and nowhere else (content check, rendering, senders)."""

from __future__ import annotations

WHATSAPP_BODY = 1600  # a session message's text (Twilio)
WHATSAPP_LIST_TITLE = 24  # a list-picker item
WHATSAPP_LIST_ITEMS = 10
WHATSAPP_BUTTONS = 3  # quick-reply buttons in a session message
WHATSAPP_BUTTON_TITLE = 20  # a quick-reply button's title, and a list-picker's button label
WHATSAPP_CONTENT_BODY = 1024  # the body of a quick-reply or list-picker
TELEGRAM_TEXT = 4096
TELEGRAM_CAPTION = 1024  # the text under a photo or a voice note
TELEGRAM_CALLBACK_BYTES = 64
TEXT_LIMITS = {"telegram": TELEGRAM_TEXT, "whatsapp": WHATSAPP_BODY, "simulator": TELEGRAM_TEXT}
