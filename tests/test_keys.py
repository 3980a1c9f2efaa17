"""The Redis key layout (bot/store/keys.py), without Redis: what one script touches shares a slot,
and keys of different namespaces or kinds never collide."""

from __future__ import annotations

import itertools
from typing import get_args

import pytest
from redis.crc import key_slot

from bot.store.keys import KINDS, Keys, UserPart, same_slot, slot_tag

NAMESPACES = ("sb", "sb:u", "sb:mq", "sb:hq", "sb:bench:1f2e", "test:0a1b", "a", "a:b", "a:b:c")
ARGS = ("u1", "x:y", "in", "hq", "failed", "0f3a", "paused", "ready", "state", "u", "lease")


def _slot(key: str) -> int:
    return int(key_slot(key.encode()))


def every_key(keys: Keys, arg: str) -> list[str]:
    """Each method of the builder with `arg` in every place a caller fills in."""
    queue, rates, hq = keys.queue(arg), keys.rates(arg), keys.tickets
    return [*(keys.user(arg, part) for part in get_args(UserPart)), keys.dedup(arg, "telegram", arg),
            queue.ready, queue.parked, queue.alive, queue.list(arg), queue.lease(arg), queue.strike(arg, "d1"),
            queue.seen("telegram", arg), queue.pushed(arg), rates.paused, rates.pace(arg), rates.pace(arg, arg),
            keys.failed, keys.nlu_review, keys.whatsapp(arg, "sent"), keys.whatsapp(arg, "status"),
            keys.simulator_inbox(arg), keys.console_session(arg), hq.ticket(arg), hq.open(arg), hq.transcript(arg),
            hq.waiting, hq.claimed, hq.touched, hq.onshift, hq.alerted(arg)]


def test_every_key_of_one_user_shares_the_users_slot() -> None:
    keys = Keys("sb")
    user = "9f86d081884c7d659a2feaa0c55ad015"
    mine = [*(keys.user(user, part) for part in get_args(UserPart)), keys.dedup(user, "telegram", "t:1:2")]
    assert {slot_tag(k) for k in mine} == {user}
    assert len({_slot(k) for k in mine}) == 1
    assert keys.user_data(user) == [k for k in mine[:-1] if not k.endswith(":lock")], "all but the lock"


def test_every_key_of_one_queue_shares_the_queues_slot_whatever_the_member() -> None:
    queue = Keys("sb").queue("out:telegram")
    members = ("9f86d081", "with{braces}", "a:b")
    together = [queue.ready, queue.parked, queue.alive, queue.seen("telegram", "t:1:2"), queue.pushed("b1"),
                same_slot(queue.ready, "pushed", "b2"),
                *(k for m in members for k in (queue.list(m), queue.lease(m), queue.strike(m, "d")))]
    assert len({_slot(k) for k in together}) == 1


def test_a_senders_rates_and_the_ticket_queue_each_share_one_slot() -> None:
    rates = Keys("sb").rates("telegram")
    assert len({_slot(k) for k in (rates.paused, rates.pace("global"), rates.pace("chat", "u1"),
                                   rates.pace("chat", "u2"))}) == 1
    hq = Keys("sb").tickets
    assert len({_slot(k) for k in (hq.waiting, hq.claimed, hq.touched, hq.ticket("t1"), hq.ticket_prefix,
                                   hq.open("u1"), hq.open_prefix, hq.transcript("t1"), hq.onshift,
                                   hq.alerted("t1"))}) == 1


def test_keys_of_different_namespaces_or_kinds_never_collide() -> None:
    """Namespaces that extend each other (`a`, `a:b`), arguments that look like kinds or hold colons: each
    key comes from one namespace and one method of the builder only, and names them before its first `{`."""
    built_by: dict[str, tuple[str, int]] = {}
    for ns, arg in itertools.product(NAMESPACES, ARGS):
        for n, key in enumerate(every_key(Keys(ns), arg)):
            head = key[:key.index("{")]
            assert head.startswith(ns + ":") and head.removeprefix(ns + ":").rstrip(":") in KINDS, key
            assert built_by.setdefault(key, (ns, n)) == (ns, n), f"{key}: built by {built_by[key]} and {(ns, n)}"


@pytest.mark.parametrize("bad", ["", "a{b", "a}b", "sb:"])
def test_a_namespace_with_braces_or_a_trailing_colon_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        Keys(bad)


def test_a_tag_with_braces_is_refused() -> None:
    with pytest.raises(ValueError):
        Keys("sb").user("a}b", "state")


def test_the_patterns_are_one_per_key_and_each_of_a_known_kind() -> None:
    patterns = Keys.patterns()
    assert len(set(patterns)) == len(patterns)
    assert all(p.split(":", 1)[0] in KINDS and ":{" in p for p in patterns), patterns
