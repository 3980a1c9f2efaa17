"""Recordings of content messages (content/<lang>/audio/): what each channel accepts, and a check
that reads the file itself (no ffmpeg needed to validate; ffmpeg only converts, see `convert`).

One file format serves both channels: OGG with the Opus codec. Telegram's sendVoice shows it as a
voice note (core.telegram.org/bots/api#sendvoice: OGG/Opus, up to 50 MB for bots); WhatsApp through
Twilio accepts audio/ogg with Opus only, up to 16 MB per message (twilio.com/docs/whatsapp/
guidance-whatsapp-media-messages). A recording is at most MAX_SECONDS long: a campaign message, not a talk.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

AUDIO_DIR = "audio"  # content/<lang>/audio/
CONTENT_TYPE = "audio/ogg"
SUFFIX = ".ogg"
MAX_SECONDS = 120.0
MAX_BYTES = {"telegram": 50 * 1024 * 1024, "whatsapp": 16 * 1024 * 1024}
REF_PREFIX = "content-audio:"  # Media.url of a recording: content-audio:<lang>/<file>
_OPUS_RATE = 48_000  # Opus granule positions always count 48 kHz samples (RFC 7845, section 4)


class AudioError(ValueError):
    """A recording the channels would refuse; the message says why in plain words."""


@dataclass(frozen=True)
class AudioInfo:
    seconds: float
    size: int
    channels: int


def probe(path: Path) -> AudioInfo:
    """Read an OGG/Opus file's header and last page: its length in seconds, size and channels."""
    data = path.read_bytes()
    if not data.startswith(b"OggS"):
        raise AudioError("it is not an OGG file (Telegram voice notes and WhatsApp need OGG with Opus)")
    head = data.find(b"OpusHead")
    if head < 0 or head > 200:
        raise AudioError("the OGG file is not encoded with Opus (convert it: python -m bot content audio-convert)")
    channels = data[head + 9]
    pre_skip = struct.unpack_from("<H", data, head + 10)[0]
    last = data.rfind(b"OggS")
    if last < 0 or last + 14 > len(data):
        raise AudioError("the OGG file is cut short")
    granule = struct.unpack_from("<q", data, last + 6)[0]
    if granule <= 0:
        raise AudioError("the OGG file has no sound (or is cut short)")
    return AudioInfo(max(0.0, (granule - pre_skip) / _OPUS_RATE), len(data), channels)


def problems_of(path: Path) -> list[str]:
    """What would stop a channel from sending this recording (empty: fine everywhere)."""
    if path.suffix.lower() != SUFFIX:
        return [f"the file must be OGG/Opus with the '{SUFFIX}' ending (found '{path.suffix or 'none'}')"]
    if not path.is_file():
        return ["the file does not exist"]
    try:
        info = probe(path)
    except AudioError as exc:
        return [str(exc)]
    found = []
    if info.seconds > MAX_SECONDS:
        found.append(f"it lasts {info.seconds:.0f} s; at most {MAX_SECONDS:.0f} s (2 minutes)")
    for channel, limit in MAX_BYTES.items():
        if info.size > limit:
            found.append(f"it is {info.size / 1e6:.1f} MB; {channel} takes at most {limit // (1024 * 1024)} MB")
    return found


def ref(lang: str, file: str) -> str:
    return f"{REF_PREFIX}{lang}/{file}"


def resolve(content_dir: Path, media_ref: str) -> Path | None:
    """The file behind a `content-audio:<lang>/<file>` reference, only inside content/<lang>/audio/."""
    if not media_ref.startswith(REF_PREFIX):
        return None
    lang, _, file = media_ref.removeprefix(REF_PREFIX).partition("/")
    base = (content_dir / lang / AUDIO_DIR).resolve()
    path = (base / file).resolve()
    if not lang.isalpha() or not path.is_relative_to(base) or not path.is_file():
        return None
    return path


def convert(source: Path, target: Path) -> AudioInfo:
    """Any recording ffmpeg reads → mono OGG/Opus at 32 kbit/s (speech), for both channels."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise AudioError("ffmpeg is not installed: run 'bash scripts/media.sh' (or apt-get install ffmpeg)")
    target.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([ffmpeg, "-nostdin", "-loglevel", "error", "-y", "-i", str(source), "-vn",
                             "-map_metadata", "-1", "-ac", "1", "-ar", "48000", "-c:a", "libopus",
                             "-b:a", "32k", "-application", "voip", str(target)],
                            capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        raise AudioError(f"ffmpeg could not convert {source.name}: {result.stderr.strip()[-300:]}")
    return probe(target)


def synthesize_spanish(text: str, target: Path) -> AudioInfo:
    """A Spanish placeholder read by espeak-ng, converted for both channels. Only Spanish: Quechua and
    Aymara are never spoken by a voice not made for them (the catalog refuses `synthetic` there)."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise AudioError("espeak-ng is not installed: run 'bash scripts/media.sh' (or apt-get install espeak-ng)")
    wav = target.with_suffix(".tmp.wav")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        result = subprocess.run([espeak, "-v", "es-419", "-s", "150", "-w", str(wav), text],
                                capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise AudioError(f"espeak-ng failed: {result.stderr.strip()[-300:]}")
        return convert(wav, target)
    finally:
        wav.unlink(missing_ok=True)


def convert_command(source: Path, target: Path) -> int:
    """`python -m bot content audio-convert IN OUT`: a recording → the OGG/Opus both channels take."""
    if target.suffix.lower() != SUFFIX:
        print(f"The target must end in '{SUFFIX}' (OGG/Opus, what Telegram and WhatsApp both accept).", file=sys.stderr)
        return 2
    try:
        info = convert(source, target)
    except (AudioError, OSError) as exc:
        print(f"Not converted: {exc}", file=sys.stderr)
        return 1
    found = problems_of(target)
    print(f"wrote {target}: {info.seconds:.1f} s, {info.size / 1000:.0f} kB"
          + ("".join(f"\n  problem: {p}" for p in found)), file=sys.stderr)
    return 1 if found else 0


def placeholder_command(content_dir: Path, keys: list[str]) -> int:
    """`python -m bot content audio-placeholder KEY…`: Spanish placeholders read by espeak-ng from the
    messages' current text, written to content/es/audio/<key>.ogg. Declare each in the YAML with
    `audio: {file: <key>.ogg, synthetic: true}` until a person records it."""
    from bot.content.catalog import Catalog  # the catalog imports this module

    catalog = Catalog.load(content_dir)
    status = 0
    for key in keys:
        if catalog.entry("es", key) is None:
            print(f"{key}: no such message in content/es", file=sys.stderr)
            status = 1
            continue
        target = content_dir / "es" / AUDIO_DIR / f"{key}{SUFFIX}"
        try:
            info = synthesize_spanish(catalog.text("es", key), target)
        except AudioError as exc:
            print(f"{key}: {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"{key}: wrote {target} ({info.seconds:.1f} s); in the YAML: "
              f"audio: {{file: {target.name}, synthetic: true}}", file=sys.stderr)
    return status
