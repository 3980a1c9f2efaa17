"""Seguros en casa y en línea: a WhatsApp and Telegram chatbot for digital safety."""

import os

# python-telegram-bot 22: time periods (RetryAfter.retry_after) as timedelta, its documented opt-in.
os.environ.setdefault("PTB_TIMEDELTA", "true")
