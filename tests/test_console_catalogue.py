"""The staff interface's gettext catalogue: every text the pages and the API use is in it, the template
matches the Spanish, another language can be added, and what the delivery workers record in English
reaches supervisors in Spanish."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from bot.content.catalog import AUDIENCES
from bot.core.risk import URGENT_CATEGORIES
from bot.core.types import CHANNELS
from bot.store.db import OUTCOMES, ROLES
from bot.web import console, i18n
from bot.web.console import failed_reason

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "bot" / "web" / "static" / name for name in ("console.html", "login.html", "simulator.html",
                                                             "reports.html", "campaign.html")]
CODE = [ROOT / "bot" / "web" / name for name in ("console.py", "simulator_api.py", "reports.py",
                                                                  "campaign.py")]
# Keys built at run time from a value ("priority." + tk.priority): every value they can take.
FAMILIES = {"priority": ("urgent", "normal"), "channel": CHANNELS, "role": ROLES, "outcome": OUTCOMES,
            "category": URGENT_CATEGORIES, "audience": (*AUDIENCES, "?"),
            "media": ("audio", "image", "video", "document", "sticker", "location", "contact", "other"),
            "file": ("image", "audio", "video", "document", "sticker"),
            "report.series": ("active_users", "new_users", "count", "right_rate", "cases", "urgent_cases",
                              "median_minutes", "p90_minutes", "subscribed", "unsubscribed", "opted_out", "total",
                              "sent", "delivered", "read", "failed")}


def used_keys() -> set[str]:
    """Every key named in the pages and the console's code; "family." for a key built from a value."""
    keys: set[str] = set()
    spaces = {key.split(".")[0] for key in i18n.load("es")}
    for page in PAGES:
        source = page.read_text(encoding="utf-8")
        keys |= set(re.findall(r"\{\{([a-z0-9_.?]+)\}\}", source))  # filled by the server
        keys |= set(re.findall(r"\bt\('([a-z0-9_.?]+)'", source))  # looked up by the page's script
        keys |= {key for key in re.findall(r"'([a-z]+\.[a-z0-9_?]+)'", source) if key.split(".")[0] in spaces}
    for code in CODE:
        source = code.read_text(encoding="utf-8")
        keys |= set(re.findall(r"\b(?:t|_error)\(\s*\"([a-z0-9_.?]+)\"", source))
        keys |= {f"{family}." for family in re.findall(r"\bt\(f\"([a-z_]+)\.\{", source)}
        keys |= {key for key in re.findall(r"\"([a-z]+\.[a-z0-9_?]+)\"", source)
                 if key.split(".")[0] in spaces and not key.endswith(".html")}
        keys |= set(re.findall(r"return \"(err\.[a-z_]+)\"", source))
    return keys


def test_every_key_the_pages_and_the_api_use_is_in_the_catalogue() -> None:
    texts = i18n.load("es")
    used = used_keys()
    assert len(used) > 100, "the scan found the keys"
    assert {"search.h", "sim.gloss", "media.recording", "failed.detail", "err.bad_date"} <= used
    missing = sorted(k for k in used if k not in texts and not k.endswith("."))
    assert missing == [], f"add these to {i18n.po_path('es')}: {missing}"
    families = {k.removesuffix(".") for k in used if k.endswith(".")}
    assert {"priority", "channel", "role", "outcome", "audience", "media", "file"} <= families
    assert families <= FAMILIES.keys(), f"say which values these keys are built from: {families - FAMILIES.keys()}"
    family_missing = sorted(f"{family}.{value}" for family, values in FAMILIES.items() for value in values
                            if f"{family}.{value}" not in texts)
    assert family_missing == []
    assert all(text.strip() for text in texts.values()), "no empty text"


def test_the_template_is_made_from_the_spanish_and_placeholders_match() -> None:
    spanish, template = i18n.read(i18n.po_path("es"), "es"), i18n.read(i18n.template_path())
    es = {m.context: (m.id, m.string) for m in spanish if m.id}
    pot = {m.context: (m.id, m.string) for m in template if m.id}
    assert es.keys() == pot.keys(), "run: python -m bot.web.i18n"
    assert all(es[key][0] == es[key][1] == pot[key][0] and not pot[key][1] for key in es), \
        "run: python -m bot.web.i18n"
    for message in template:
        if message.id and i18n.PLACEHOLDER.search(str(message.id)):
            assert "python-brace-format" in message.flags, message.context


def test_another_language_overrides_what_it_translates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale)
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    template = i18n.read(i18n.template_path())
    quechua = Catalog(locale="qu", domain=i18n.DOMAIN)
    for message in template:
        if message.context == "login.submit":
            quechua.add(message.id, "Yaykuy", context=message.context)
        elif message.context == "login.username":
            quechua.add(message.id, "Sutiyki", context=message.context, flags=("fuzzy",))
    i18n._write(quechua, i18n.po_path("qu"))
    assert i18n.languages() == ["es", "qu"]
    texts = i18n.load("qu")
    assert texts["login.submit"] == "Yaykuy"
    assert texts["login.username"] == "Usuario", "a fuzzy translation falls back to the Spanish"
    assert texts["err.wrong_login"] == "Usuario o contraseña incorrectos.", "untranslated: Spanish"


@pytest.mark.parametrize(("recorded", "shown"), [
    ("the user blocked the bot", "La persona bloqueó el bot."),
    ("telegram: the user blocked the bot", "La persona bloqueó el bot."),
    ("the user opted out (STOP)", "La persona pidió no recibir más mensajes (BAJA)."),
    ("twilio 21610: the user opted out", "La persona pidió no recibir más mensajes (BAJA)."),
    ("expired: the user did not write within 25 h",
     "La persona no volvió a escribir en 25 h: WhatsApp ya no permitía enviarlo."),
    ("address unreadable (ADDRESS_KEY changed?)",
     "No se pudo leer la dirección guardada (¿cambió la clave ADDRESS_KEY?)."),
    ("rate-limited for more than 6 h in all", "La plataforma frenó los envíos durante más de 6 h."),
    ("gave up after 8 attempts: telegram network: timed out",
     "Se dejó de intentar tras 8 intentos: la plataforma no respondía."),
    ("not sent: KeyError in the worker, 3 times", "Error interno del bot al enviar (KeyError), 3 veces."),
    ("incoming message not processed (ValueError)", "Un mensaje de la persona no se pudo procesar (ValueError)."),
    ("twilio undelivered 63016", "WhatsApp no lo entregó: fuera de la ventana de 24 horas (código 63016)."),
    ("twilio failed 30003", "WhatsApp no pudo entregarlo (código 30003)."),
    ("twilio 400 (code 21211)", "La plataforma rechazó el mensaje."),
    ("telegram refused the message: Bad Request: chat not found", "La plataforma rechazó el mensaje."),
    ("telegram: the recording is not in content/<lang>/audio/", "La grabación no se pudo enviar."),
    ("telegram: the address is not a chat id", "La dirección de Telegram no es válida."),
    ("a button payload is longer than 64 bytes", "Un botón es demasiado largo para Telegram."),
    ("something nobody expected", "Otro motivo."),
])
def test_failed_deliveries_are_explained_in_spanish(recorded: str, shown: str) -> None:
    assert failed_reason(recorded) == shown


def test_the_console_reads_the_catalogue_it_serves() -> None:
    assert i18n.load("es") == console.CATALOGUE
    assert console.t("card.unread", n=3) == "3 sin leer"
    assert console.category_label("trafficking") == "trata / retención"
