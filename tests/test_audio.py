"""Campaign messages you can hear (issue 17, items 2-4): recordings declared in the content, checked
with file and line, offered as "Escuchar" and delivered as a voice note on Telegram (the Bot API
double checks sendVoice) and on WhatsApp (Prism checks the request; the MediaUrl is a signed,
expiring link the bot serves)."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.app.audio_links import AudioLinks
from bot.content import audio
from bot.content.catalog import Catalog
from bot.web.app import create_app
from tests import test_telegram as tg
from tests import test_whatsapp as wa
from tests.chat import ROOT
from tests.conftest import drop_namespace
from tests.doubles import FaultProxy, TelegramDouble, prism, serve, spec_with_form_arrays
from tests.test_media import User

CONTENT = ROOT / "content"
RECORDING = CONTENT / "es" / "audio" / "help.lines.ogg"
GREETING = CONTENT / "es" / "audio" / "main.ask_audience.ogg"


def ogg_opus(seconds: float, padding: int = 0) -> bytes:
    """A minimal OGG/Opus stream: the header page, `padding` bytes, and a last page whose granule gives
    the length."""
    def page(granule: int, body: bytes) -> bytes:
        return b"OggS" + bytes([0, 0]) + struct.pack("<qIII", granule, 1, 0, 0) + bytes([1, len(body)]) + body
    head = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", 312, 48000, 0, 0)
    return page(0, head) + bytes(padding) + page(312 + int(seconds * 48000), b"\x00")


def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def add_audio(content: Path, lang: str, key: str, declaration: str) -> int:
    """Declare `audio:` under an entry; returns the line it was written on."""
    path = next(p for p in sorted((content / lang).glob("*.yml")) if f"\n  {key}:\n" in p.read_text(encoding="utf-8"))
    lines = path.read_text(encoding="utf-8").split("\n")
    at = lines.index(f"  {key}:") + 1
    lines.insert(at, f"    audio: {declaration}")
    path.write_text("\n".join(lines), encoding="utf-8")
    return at + 1


# -- the content check ------------------------------------------------------------------------------

def test_the_shipped_recordings_pass_and_are_marked_synthetic() -> None:
    catalog, problems = Catalog.load_with_problems(CONTENT)
    assert [p for p in problems if "audio" in p.what] == []
    entry = catalog.entries["es"]["help.lines"]
    assert entry.audio == "help.lines.ogg" and entry.audio_synthetic
    assert audio.probe(RECORDING).seconds <= audio.MAX_SECONDS
    greeting = catalog.entries["es"]["main.ask_audience"]  # the Spanish greeting (issue 17, item 4)
    assert greeting.audio == GREETING.name and greeting.audio_synthetic
    assert audio.problems_of(GREETING) == [] and audio.probe(GREETING).seconds >= 1.0, "a real, audible recording"
    assert "# Voz sintética (espeak-ng)" in (CONTENT / "es" / "main.yml").read_text(encoding="utf-8"), \
        "the YAML tells editors the greeting's voice is a placeholder"
    assert not any(e.audio for lang in ("qu", "ay") for e in catalog.entries[lang].values() if e.audio_synthetic)


@pytest.mark.parametrize(("make", "declaration", "what"), [
    (None, "missing.ogg", "does not exist"),
    (lambda: ogg_opus(150), "long.ogg", "lasts 150 s"),
    (lambda: b"ID3\x03 an mp3", "song.ogg", "not an OGG file"),
    (lambda: b"RIFF....WAVEfmt ", "song.wav", "'.ogg' ending"),
    (lambda: b"OggS" + bytes(30) + b"vorbis", "vorbis.ogg", "not encoded with Opus"),
    (lambda: ogg_opus(10), "../../es/help.yml", "must be inside content/es/audio/"),
])
def test_content_check_reports_a_bad_recording_with_file_and_line(tmp_path: Path, make: Any, declaration: str,
                                                                   what: str) -> None:
    content = content_copy(tmp_path)
    if make is not None and not declaration.startswith(".."):
        (content / "es" / "audio" / declaration).write_bytes(make())
    line = add_audio(content, "es", "help.where_report", declaration)
    _, problems = Catalog.load_with_problems(content)
    found = [p for p in problems if "help.where_report" in p.what]
    assert len(found) == 1 and what in found[0].what, found
    assert found[0].file == content / "es" / "help.yml" and found[0].line == line and not found[0].warning


@pytest.mark.parametrize(("make", "declaration", "what"), [
    (None, "missing.ogg", "does not exist"),
    (lambda: ogg_opus(150), "long.ogg", "lasts 150 s; at most 120 s"),
    (lambda: b"ID3\x03 an mp3", "song.ogg", "not an OGG file"),
    (lambda: ogg_opus(10, padding=17 * 1024 * 1024), "big.ogg", "whatsapp takes at most 16 MB"),
])
def test_the_content_check_command_fails_and_names_the_file_and_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, declaration: str, what: str) -> None:
    """What staff run (`python -m bot content check`): exit 1, and the problem printed as file:line."""
    from bot.dialog.check import run_check

    content = content_copy(tmp_path)
    assert run_check(content, ROOT / "flows", strict=True) == 0, "the copy as shipped passes"
    capsys.readouterr()
    if make is not None:
        (content / "es" / "audio" / declaration).write_bytes(make())
    line = add_audio(content, "es", "main.menu", declaration)
    assert run_check(content, ROOT / "flows") == 1
    printed = capsys.readouterr().out
    assert f"{content / 'es' / 'main.yml'}:{line}: error: 'main.menu': the audio content/es/audio/" \
           f"{declaration}: " in printed, printed
    assert what in printed and "FAILED: 1 error(s)" in printed, printed


def test_a_synthetic_voice_is_refused_for_quechua_and_aymara(tmp_path: Path) -> None:
    content = content_copy(tmp_path)
    (content / "qu" / "audio").mkdir()
    (content / "qu" / "audio" / "lines.ogg").write_bytes(ogg_opus(5))
    add_audio(content, "qu", "help.lines", "{file: lines.ogg, synthetic: true}")
    _, problems = Catalog.load_with_problems(content)
    assert any("synthetic voice is not allowed in 'qu'" in p.what for p in problems)


def test_a_native_recording_in_quechua_is_accepted_and_offered_only_in_quechua(tmp_path: Path) -> None:
    content = content_copy(tmp_path)
    (content / "qu" / "audio").mkdir()
    (content / "qu" / "audio" / "lines.ogg").write_bytes(ogg_opus(5))
    add_audio(content, "qu", "help.lines", "lines.ogg")
    catalog, problems = Catalog.load_with_problems(content)
    assert not [p for p in problems if not p.warning]
    assert catalog.audio("qu", "help.lines") == "content-audio:qu/lines.ogg"
    assert catalog.audio("ay", "help.lines") is None, "never another language's recording"


def test_audio_convert_turns_a_wav_into_ogg_opus(tmp_path: Path) -> None:
    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is not installed: run 'bash scripts/media.sh' (scripts/test.sh does)")
    wav = tmp_path / "rec.wav"
    wav.write_bytes(_wav(seconds=1.5))
    target = tmp_path / "out" / "rec.ogg"
    assert audio.convert_command(wav, target) == 0
    info = audio.probe(target)
    assert 1.4 <= info.seconds <= 1.6 and info.channels == 1
    assert audio.problems_of(target) == []


def _wav(seconds: float, rate: int = 8000) -> bytes:
    frames = int(seconds * rate)
    data = bytes(frames * 2)
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate,
            rate * 2, 2, 16) + b"data" + struct.pack("<I", len(data)) + data)


def test_status_and_preview_show_which_messages_have_audio() -> None:
    from bot.cli import content_tools as tools
    from tests.chat import project_bundle

    status = tools.status_table(Catalog.load(CONTENT))
    assert re.search(r"^help\s+\d+\s+2\s+0\s+0$", status, re.MULTILINE), status
    assert "es  help.lines  es/audio/help.lines.ogg" in status.split("Synthetic placeholders")[1]
    shown = tools.preview(project_bundle(), "help", "es", "simulator")
    assert "(audio: es/audio/help.lines.ogg, synthetic placeholder)" in shown


# -- signed links ------------------------------------------------------------------------------------

class Clock:
    now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_signed_link_serves_the_recording_until_it_expires_and_cannot_be_forged() -> None:
    clock = Clock()
    links = AudioLinks("s" * 32, "https://bot.example.org", CONTENT, ttl_seconds=600, clock=clock)
    url = links.url("content-audio:es/help.lines.ogg")
    assert url is not None and url.startswith("https://bot.example.org/media/audio/")
    path = urlsplit(url).path
    client = TestClient(Starlette(routes=links.routes()))
    ok = client.get(path)
    assert ok.status_code == 200 and ok.headers["content-type"] == "audio/ogg"
    assert ok.content == RECORDING.read_bytes() and "no-store" in ok.headers["cache-control"]
    parts = path.split("/")
    forged = "/".join([*parts[:4], "0" * 32, *parts[5:]])
    other_file = path.replace("help.lines.ogg", "help.services.ogg")
    longer = path.replace(parts[3], str(int(parts[3]) + 86400))
    listing = "/".join(parts[:5]) + "/es/"
    outside = "/".join(parts[:5]) + "/es/..%2Fhelp.yml"
    for bad in (forged, other_file, longer, listing, outside, "/media/audio/"):
        assert client.get(bad).status_code == 404, bad
    clock.now += 601
    assert client.get(path).status_code == 404, "expired"
    assert links.url("content-audio:es/nothing.ogg") is None
    assert links.url("content-audio:es/../help.yml") is None


# -- Telegram: sendVoice --------------------------------------------------------------------------------

@pytest.fixture
def telegram_bot(tmp_path: Path) -> Iterator[tuple[TestClient, TelegramDouble]]:
    double = TelegramDouble()
    with serve(double.app()) as url:
        ns = f"test:{secrets.token_hex(6)}"
        settings = tg._settings(tmp_path, url, telegram_chat_rate=50.0)
        with TestClient(create_app(settings, namespace=ns)) as client:
            yield client, double
        drop_namespace(ns)


def _text(update_id: int, text: str) -> dict[str, Any]:
    update = tg.with_id("text", update_id)
    return {**update, "message": {**update["message"], "message_id": update_id, "text": text}}


def _press(update_id: int, data: str) -> dict[str, Any]:
    return {"update_id": update_id, "callback_query": {**tg.UPDATES["button_press"]["callback_query"],
                                                       "id": f"cb{update_id}", "data": data}}


def test_escuchar_sends_the_recording_as_a_voice_note_on_telegram(
        telegram_bot: tuple[TestClient, TelegramDouble]) -> None:
    client, double = telegram_bot
    tg.post(client, _text(1, "hola"))
    double.wait_for(1)
    tg.post(client, _press(2, "lang:es"))
    double.wait_for(3)
    tg.post(client, _text(3, "ayuda"))
    lines = double.wait_for(4)[3]
    buttons = [b for row in json.loads(lines["reply_markup"])["inline_keyboard"] for b in row]
    listen = next(b for b in buttons if b["text"] == "Escuchar")
    tg.post(client, _press(4, listen["callback_data"]))
    voice = double.wait_for(5)[4]
    assert voice["method"] == "sendVoice" and voice["voice"] == RECORDING.read_bytes()
    assert int(voice["duration"]) == round(audio.probe(RECORDING).seconds)
    assert double.refused == [], "every call met the Bot API's rules"
    tg.post(client, _press(5, listen["callback_data"]))  # the buttons under the message still work
    assert double.wait_for(6)[5]["method"] == "sendVoice"


# -- WhatsApp: MediaUrl through Twilio (Prism) -------------------------------------------------------------

@pytest.fixture(scope="module")
def twilio_mock() -> Iterator[str]:
    with prism(spec_with_form_arrays()) as url:  # Prism needs the form encoding of MediaUrl spelled out
        yield url


def test_escuchar_sends_a_signed_media_url_on_whatsapp_that_twilio_can_fetch(tmp_path: Path,
                                                                             twilio_mock: str) -> None:
    fault = FaultProxy(twilio_mock)
    with serve(fault.app()) as url:
        ns = f"test:{secrets.token_hex(6)}"
        settings = wa._settings(tmp_path, url, audio_url_secret="a" * 40)
        with TestClient(create_app(settings, namespace=ns), base_url="https://testserver") as client:
            wa.post(client, wa.message(1, "hola"))
            wa.wait_for(fault, 1)
            wa.post(client, wa.message(2, "1"))  # Español
            wa.wait_for(fault, 3)
            wa.post(client, wa.message(3, "ayuda"))
            body = wa.wait_for(fault, 4)[3]["Body"]
            number = re.search(r"(\d+)\. Escuchar", body)
            assert number, body
            wa.post(client, wa.message(4, number.group(1)))
            sent = wa.wait_for(fault, 5)[4]
            media_url = sent["MediaUrl"]
            assert media_url.startswith(f"{wa.PUBLIC}/media/audio/") and "Body" not in sent
            assert set(fault.answers) == {201}, "Prism validated every request against Twilio's spec"
            fetched = client.get(urlsplit(media_url).path)
            assert fetched.status_code == 200 and fetched.headers["content-type"] == "audio/ogg"
            assert fetched.content == RECORDING.read_bytes()
            expires = int(urlsplit(media_url).path.split("/")[3])
            assert 0 < expires - time.time() <= settings.audio_url_ttl_seconds
            assert client.get(urlsplit(media_url).path.replace("help.lines", "help.services")).status_code == 404
        drop_namespace(ns)


# -- "prefiero audios" ---------------------------------------------------------------------------------

async def test_prefiero_audios_sends_the_recording_first_and_solo_texto_stops_it(redis: Redis,
                                                                                   namespace: str) -> None:
    user = User(redis, namespace)
    await user.send(choice="lang:es")
    plain = await user.send("ayuda")
    assert [r.media for r in plain.replies] == [()] and "Escuchar" in [c.title for c in plain.replies[0].choices]
    on = await user.send("prefiero audios")
    assert "nota de voz" in on.replies[0].text
    first = await user.send("ayuda")
    assert [m.url for m in first.replies[0].media] == ["content-audio:es/help.lines.ogg"]
    assert first.replies[1].text.startswith("Líneas que atienden")
    await user.send("solo texto")
    again = await user.send("ayuda")
    assert [r.media for r in again.replies] == [()]


# -- the greeting (issue 17, item 4) ---------------------------------------------------------------------

async def test_the_spanish_greeting_can_be_heard_and_its_choices_still_work(redis: Redis, namespace: str) -> None:
    user = User(redis, namespace)
    greeting = (await user.send(choice="lang:es")).replies[-1]
    assert greeting.text.startswith("Para mostrarte lo más útil")
    assert [c.title for c in greeting.choices] == ["Soy joven", "Madre, padre o tutor", "Escuchar"]
    heard = await user.send(choice=greeting.choices[2].payload)
    assert [(m.kind, m.url, m.content_type) for r in heard.replies for m in r.media] == [
        ("audio", f"content-audio:es/{GREETING.name}", "audio/ogg")]
    assert not any(r.text for r in heard.replies), "the voice note comes alone, without repeating the text"
    menu = await user.send(choice=greeting.choices[0].payload)  # "Soy joven", tapped after listening
    assert "Riesgos en línea" in [c.title for r in menu.replies for c in r.choices]


@pytest.mark.parametrize("lang", ["qu", "ay"])
async def test_the_quechua_and_aymara_greetings_offer_no_voice_until_a_native_speaker_records_one(
        redis: Redis, namespace: str, lang: str) -> None:
    user = User(redis, namespace)
    greeting = (await user.send(choice=f"lang:{lang}")).replies[-1]
    assert len(greeting.choices) == 2 and not any(c.payload.startswith("sys:listen:") for c in greeting.choices)
    assert not list((CONTENT / lang).glob("audio/*")), "no machine voice in Quechua or Aymara"
