"""Seguros en casa y en línea: a WhatsApp and Telegram chatbot for digital safety."""
