"""Command line: python -m bot serve | worker | simulate | content | db | bench | campaign | nlu | triage …"""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import subprocess
import sys
from pathlib import Path

from bot.config import ROOT, SettingsError, load_settings
from bot.errors import DataError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Seguros en casa y en línea: the bot")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the bot (webhooks, simulator page, health)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    sim = sub.add_parser("simulate", help="JSON lines on stdin → one JSON line per input on stdout")
    sim.add_argument("--namespace", help="Redis key namespace (default: a new one per run, removed at the end)")
    sim.add_argument("--no-nlu", action="store_true", help="do not call Rasa even if RASA_URL is set")
    content = sub.add_parser("content", help="check the content and flow files")
    content_sub = content.add_subparsers(dest="content_command", required=True)
    check = content_sub.add_parser("check", help="validate content/ and flows/ (warnings fail with --strict)")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors (CI does)")
    content_sub.add_parser("status", help="reviewed / draft / missing per language and module")
    export = content_sub.add_parser("export-po", help="write a PO file for translators (Poedit, Weblate)")
    export.add_argument("--lang", required=True, choices=["qu", "ay"])
    export.add_argument("--out", type=Path, help="file to write (default: stdout)")
    imp = content_sub.add_parser("import-po", help="read a translated PO file back (validated before writing)")
    imp.add_argument("--lang", required=True, choices=["qu", "ay"])
    imp.add_argument("file", type=Path)
    prev = content_sub.add_parser("preview", help="print a flow as a transcript, as a channel shows it")
    prev.add_argument("flow")
    prev.add_argument("--lang", default="es", choices=["es", "qu", "ay"])
    prev.add_argument("--channel", default="simulator", choices=["simulator", "telegram", "whatsapp"])
    conv = content_sub.add_parser("audio-convert", help="a recording → OGG/Opus for Telegram and WhatsApp (ffmpeg)")
    conv.add_argument("source", type=Path)
    conv.add_argument("target", type=Path, help="e.g. content/qu/audio/help.lines.ogg")
    synth = content_sub.add_parser("audio-placeholder",
                                   help="Spanish placeholder recordings read by espeak-ng (never qu/ay)")
    synth.add_argument("keys", nargs="+")
    bench = sub.add_parser("bench", help="drive simulated users through the pipeline on real Redis")
    bench.add_argument("--users", type=int, default=200)
    bench.add_argument("--messages", type=int, default=20000)
    bench.add_argument("--concurrency", type=int, default=4, help="users in flight per process")
    bench.add_argument("--workers", type=int, default=2, help="bot processes sharing one Redis")
    sub.add_parser("counselor", help="counselor accounts: add | list | disable", add_help=False)
    sub.add_parser("campaign", help="broadcasts to subscribers: broadcast | list | status | cancel", add_help=False)
    tg = sub.add_parser("telegram", help="register or remove the Telegram webhook, or show its state")
    tg.add_argument("action", choices=["set-webhook", "delete-webhook", "info"])
    wa = sub.add_parser("whatsapp", help="WhatsApp buttons and lists: sync Twilio Content resources")
    wa.add_argument("action", choices=["sync-content"])
    wa.add_argument("--dry-run", action="store_true", help="print what would change; call and write nothing")
    nlu = sub.add_parser("nlu", help="train, serve or evaluate the Rasa model")
    nlu.add_argument("action", choices=["install", "train", "serve", "evaluate", "review"])
    nlu.add_argument("--export", type=Path, help="review: write the sheet of unsure messages to label")
    nlu.add_argument("--import", dest="labels", type=Path, help="review: add a labelled sheet to nlu/data")
    nlu.add_argument("--as", dest="user", help="review: your console account (admin or supervisor)")
    nlu.add_argument("--tune", type=Path, help="evaluate: figures on a labelled dev file (choose thresholds)")
    nlu.add_argument("--model", type=Path, help="evaluate --tune: this model instead of the current data's")
    nlu.add_argument("--blind-only", action="store_true",
                     help="evaluate: only the blind set on the served model's data (faster; no dev model)")
    db = sub.add_parser("db", help="the relational database (accounts, cases, audit)")
    db.add_argument("action", choices=["upgrade"], help="upgrade: apply the Alembic migrations (DATABASE_URL)")
    sub.add_parser("worker", help="only the workers (inbox → pipeline → outbox → platforms), no web server")
    report = sub.add_parser("report", help="the campaign's figures, without personal data (docs/REPORTS.md)")
    from bot.cli.report import add_arguments as report_arguments

    report_arguments(report)
    triage = sub.add_parser("triage", help="evaluate urgent / ask / none on the blind corpus")
    triage.add_argument("action", choices=["evaluate"])
    triage.add_argument("--split", default="test",  # the corpus files: tests/data/triage/README.md says which is what
                        choices=sorted(path.stem for path in (ROOT / "tests" / "data" / "triage").glob("*.jsonl")),
                        help="test (frozen); dev and round<N>a (trained on); round<N>b (held out)")
    triage.add_argument("--no-write", action="store_true", help="print only; do not write docs/TRIAGE.md")
    triage.add_argument("--check", action="store_true", help="exit 1 when a target is not met (CI)")
    triage.add_argument("--no-nlu", action="store_true", help="rules only, even if RASA_URL is set")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["counselor"]:
        from bot.cli.counselor import main as counselor_main

        return counselor_main(argv[1:])
    if argv[:1] == ["campaign"]:
        from bot.cli.campaign import main as campaign_main

        return campaign_main(argv[1:])
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs request URLs (the Telegram token is in them); twilio logs request bodies (numbers, text).
    for noisy in ("httpx", "httpcore", "twilio", "telegram", "aiohttp"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))

    try:
        if args.command == "serve":
            return _serve(settings, args.host, args.port)
        if args.command == "simulate":
            return asyncio.run(_simulate(settings, args.namespace, not args.no_nlu))
        if args.command == "content":
            return _content(settings, args)
        if args.command == "bench":
            from bot.cli.bench import run_bench

            return run_bench(settings, users=args.users, messages=args.messages,
                             concurrency=args.concurrency, workers=args.workers)
        if args.command == "db":
            from bot.store.db import upgrade

            upgrade(settings.database_url)
            print("database is at the newest migration", file=sys.stderr)
            return 0
        if args.command == "worker":
            from bot.app.worker import run_workers

            return asyncio.run(run_workers(settings))
        if args.command == "report":
            from bot.cli.report import run as run_report

            return run_report(settings, args)
        if args.command == "telegram":
            return asyncio.run(_telegram(settings, args.action))
        if args.command == "whatsapp":
            from bot.channels.whatsapp_content import run_sync

            return asyncio.run(run_sync(settings, dry_run=args.dry_run))
        if args.command == "triage":
            from bot.cli.triage_evaluate import main as triage_evaluate

            return triage_evaluate(settings, ROOT, args.split, write=not args.no_write, check=args.check,
                                   use_nlu=not args.no_nlu)
        if args.command == "nlu":
            if args.action == "evaluate":
                from bot.cli.nlu_evaluate import main as evaluate
                from bot.cli.nlu_evaluate import tune

                if args.tune:
                    return tune(ROOT, args.tune, args.model)
                return int(evaluate(ROOT, blind_only=args.blind_only))
            if args.action == "review":
                from bot.cli.nlu_review import run as review

                if not args.user:
                    print("say who you are: --as <console username> (admins and supervisors)", file=sys.stderr)
                    return 2
                return asyncio.run(review(settings, ROOT, user=args.user, export=args.export, labels=args.labels))
            return subprocess.call(["bash", str(ROOT / "scripts" / "rasa.sh"), args.action])
    except DataError as exc:
        print("The content or flow files have problems; the bot cannot start:\n", file=sys.stderr)
        print(exc, file=sys.stderr)
        return 1
    return 0


def _content(settings: object, args: argparse.Namespace) -> int:
    from bot.cli import content_tools as tools
    from bot.config import Settings
    from bot.content.catalog import Catalog
    from bot.dialog.bundle import Bundle
    from bot.dialog.check import run_check

    assert isinstance(settings, Settings)
    action = args.content_command
    if action == "check":
        return run_check(settings.content_dir, settings.flows_dir, strict=args.strict)
    if action == "audio-convert":
        from bot.content.audio import convert_command
        return convert_command(args.source, args.target)
    if action == "audio-placeholder":
        from bot.content.audio import placeholder_command
        return placeholder_command(settings.content_dir, args.keys)
    if action == "status":
        print(tools.status_table(Catalog.load(settings.content_dir)))
    elif action == "export-po":
        data = tools.export_po(Catalog.load(settings.content_dir), args.lang)
        if args.out:
            args.out.write_bytes(data)
            print(f"wrote {args.out}", file=sys.stderr)
        else:
            sys.stdout.buffer.write(data)
    elif action == "import-po":
        problems = tools.import_po(settings.content_dir, args.lang, args.file.read_bytes(), po_name=str(args.file))
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("Nothing was written: fix the problems above and import again.", file=sys.stderr)
            return 1
        print(f"imported {args.file} into content/{args.lang}/", file=sys.stderr)
    elif action == "preview":
        from bot.channels.whatsapp_content import ContentMap

        contents = ContentMap.for_url(settings.database_url) if args.channel == "whatsapp" else None
        print(tools.preview(Bundle.load(settings.content_dir, settings.flows_dir), args.flow, args.lang,
                            args.channel, contents))
    return 0


def _serve(settings: object, host: str | None, port: int | None) -> int:
    import uvicorn

    from bot.config import Settings
    from bot.dialog.bundle import Bundle
    from bot.web.app import create_app

    assert isinstance(settings, Settings)
    Bundle.load(settings.content_dir, settings.flows_dir)  # fail early with file and line
    host, port = host or settings.host, port or settings.port
    print(f"Bot running. Simulator: http://{host}:{port}/simulator   Health: http://{host}:{port}/healthz",
          flush=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level=settings.log_level.lower(),
                access_log=False)
    return 0


async def _telegram(settings: object, action: str) -> int:
    """Point Telegram at PUBLIC_BASE_URL/webhooks/telegram with the secret token (or undo it)."""
    from bot.channels.telegram import ALLOWED_UPDATES, make_bot
    from bot.config import Settings

    assert isinstance(settings, Settings)
    if not settings.telegram_token:
        print("Set TELEGRAM_TOKEN first (from @BotFather).", file=sys.stderr)
        return 2
    async with make_bot(settings.telegram_token, settings.telegram_api_base) as bot:
        if action == "set-webhook":
            if not settings.public_base_url.startswith("https://") or not settings.telegram_webhook_secret:
                print("Telegram needs an https PUBLIC_BASE_URL and a TELEGRAM_WEBHOOK_SECRET.", file=sys.stderr)
                return 2
            url = settings.public_url("/webhooks/telegram")
            await bot.set_webhook(url, secret_token=settings.telegram_webhook_secret,
                                  allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
            print(f"Telegram now sends updates to {url}")
        elif action == "delete-webhook":
            await bot.delete_webhook()
            print("Webhook removed: use TELEGRAM_MODE=polling, or set it again.")
        else:
            info = await bot.get_webhook_info()
            print(f"url={info.url or '-'} pending={info.pending_update_count} "
                  f"last_error={info.last_error_message or '-'}")
    return 0


async def _simulate(settings: object, namespace: str | None, use_nlu: bool) -> int:
    from bot.app.runtime import build_runtime
    from bot.app.simulator import Simulator
    from bot.config import Settings

    assert isinstance(settings, Settings)
    ns = namespace or f"{settings.bot_namespace}:sim:{secrets.token_hex(4)}"
    from bot.store.db import upgrade

    await asyncio.to_thread(upgrade, settings.database_url)  # the weekly tips' subscriptions live there
    runtime = await build_runtime(settings, namespace=ns, use_nlu=use_nlu)
    try:
        await Simulator(runtime).run(sys.stdin, sys.stdout)
    finally:
        if namespace is None:
            keys = [k async for k in runtime.redis.scan_iter(match=f"{ns}:*", count=500)]
            if keys:
                await runtime.redis.delete(*keys)
        await runtime.aclose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

