"""`python -m bot counselor add|list|disable`: counselor accounts (argon2 password hashes)."""

from __future__ import annotations

import argparse
import getpass
import sys

from argon2 import PasswordHasher

from bot.config import load_settings
from bot.store.db import ROLES, Store, make_engine, upgrade

MIN_PASSWORD = 12


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot counselor")
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="create an account (the password is read from stdin or asked)")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, default="counselor")
    add.add_argument("--name", help="name shown to colleagues (default: the username)")
    sub.add_parser("list", help="list accounts")
    disable = sub.add_parser("disable", help="disable an account")
    disable.add_argument("username")
    args = parser.parse_args(argv)

    settings = load_settings()
    upgrade(settings.database_url)
    store = Store(make_engine(settings.database_url))
    if args.action == "add":
        if store.counselor(args.username) is not None:
            print(f"An account called {args.username!r} already exists.", file=sys.stderr)
            return 1
        password = sys.stdin.readline().strip() if not sys.stdin.isatty() else getpass.getpass("Password: ")
        if len(password) < MIN_PASSWORD:
            print(f"The password must have at least {MIN_PASSWORD} characters.", file=sys.stderr)
            return 1
        store.add_counselor(args.username, args.name or args.username, PasswordHasher().hash(password), args.role)
        print(f"Account {args.username!r} ({args.role}) created.")
    elif args.action == "list":
        for c in store.counselors():
            print(f"{c.username:<20} {c.role:<11} {'active' if c.active else 'disabled'}")
    else:
        counselor = store.counselor(args.username)
        if counselor is None:
            print(f"No account called {args.username!r}.", file=sys.stderr)
            return 1
        store.update_counselor(counselor.id, active=False)
        print(f"Account {args.username!r} disabled.")
    return 0
