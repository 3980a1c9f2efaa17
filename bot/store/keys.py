"""The Redis key layout, in one place: every key the bot writes is built here (cf. aiogram's DefaultKeyBuilder).

Every key has the shape `<namespace>:<kind>:{<tag>}[:<rest>]`:

- `<kind>` is one of KINDS; the namespace never holds `{` or `}`, so the text before a key's
  first `{` names its namespace and kind: keys of two namespaces (or two kinds) cannot collide,
  even when one namespace extends another (`sb` and `sb:bench:1f2e`).
- `{<tag>}` is the Redis Cluster hash tag: keys with the same tag live in the same slot, so one
  Lua script, MULTI/EXEC or multi-key command may touch them together. The tags follow what the
  scripts touch together (docs/REDIS.md):
  - one user (`{<user>}`): state, address, lock, reachability flags, the turn's dedup mark;
  - one queue (`{in}`, `{out:<channel>}`): its due and parked sorted sets, every user's list and
    lease in it, its dedup marks (the queue's scripts read a user's list while walking the sorted set);
  - one sender's rates (`{<channel>}`): the pause and every pace, global and per chat (one GCRA call);
  - the ticket queue (`{hq}`): tickets, indexes, open markers and transcripts (one script opens a
    ticket, indexes it and marks the user's open ticket).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

UserPart = Literal["state", "addr", "lock", "last_in", "inactive", "optout", "tpl", "staged", "recent"]
KINDS = ("u", "dedup", "mq", "rl", "hq", "outbox", "wa", "sim", "console", "nlu", "sched", "bc", "an")


def _tag(value: str) -> str:
    if not value or "{" in value or "}" in value:
        raise ValueError(f"a hash tag must be non-empty and hold no braces: {value!r}")
    return "{" + value + "}"


def slot_tag(key: str) -> str:
    """The part of `key` Redis Cluster hashes: the text between its first `{` and the next `}`."""
    start = key.find("{")
    end = key.find("}", start + 1)
    return key[start + 1:end] if start >= 0 and end > start + 1 else key


def same_slot(key: str, *parts: str) -> str:
    """A sibling of `key` (a key of this layout) with the same hash tag: `…{tag}:<parts>`."""
    end = key.index("}") + 1
    return ":".join((key[:end], *parts))


@dataclass(frozen=True)
class QueueKeys:
    """One durable queue (bot/delivery/mailbox.py): `in`, or `out:<channel>`."""

    prefix: str  # <ns>:mq:{<queue>}

    @property
    def ready(self) -> str:
        """Sorted set: per user, when their head entry is due."""
        return f"{self.prefix}:ready"

    @property
    def parked(self) -> str:
        return f"{self.prefix}:parked"

    @property
    def alive(self) -> str:
        return f"{self.prefix}:alive"

    @property
    def list_prefix(self) -> str:
        return f"{self.prefix}:u:"

    def list(self, member: str) -> str:
        return self.list_prefix + member

    @property
    def lease_prefix(self) -> str:
        return f"{self.prefix}:lease:"

    def lease(self, member: str) -> str:
        return self.lease_prefix + member

    def strike(self, member: str, digest: str) -> str:
        return f"{self.prefix}:strike:{member}:{digest}"

    def seen(self, channel: str, external_id: str) -> str:
        """A platform message id already accepted into this queue (the inbox's dedup)."""
        return f"{self.prefix}:seen:{channel}:{external_id}"

    def pushed(self, batch: str) -> str:
        """A batch of a turn's replies already pushed (the state commit on Redis Cluster, bot/store/state.py)."""
        return f"{self.prefix}:pushed:{batch}"

    def broadcast(self, broadcast_id: int | str, member: str) -> str:
        """A broadcast already queued for this user (set in the push's own step: each recipient once)."""
        return f"{self.prefix}:bc:{broadcast_id}:{member}"


@dataclass(frozen=True)
class RateKeys:
    """One sender's rate limits (GCRA, bot/delivery/mailbox.py): every key in one call shares the tag."""

    prefix: str  # <ns>:rl:{<channel>}

    @property
    def paused(self) -> str:
        return f"{self.prefix}:paused"

    def pace(self, name: str, user: str | None = None) -> str:
        return f"{self.prefix}:pace:{name}" + (f":{user}" if user is not None else "")


@dataclass(frozen=True)
class TicketKeys:
    """The counselor ticket queue (bot/handoff/): one tag, so its scripts may touch any of it."""

    prefix: str  # <ns>:hq:{hq}: (with the trailing colon: scripts append ids to the prefixes)

    @property
    def waiting(self) -> str:
        return self.prefix + "waiting"

    @property
    def claimed(self) -> str:
        return self.prefix + "claimed"

    @property
    def touched(self) -> str:
        return self.prefix + "touched"

    @property
    def ticket_prefix(self) -> str:
        return self.prefix + "ticket:"

    def ticket(self, ticket_id: str) -> str:
        return self.ticket_prefix + ticket_id

    @property
    def open_prefix(self) -> str:
        return self.prefix + "open:"

    def open(self, user: str) -> str:
        return self.open_prefix + user

    def transcript(self, ticket_id: str) -> str:
        return self.prefix + "transcript:" + ticket_id

    @property
    def onshift(self) -> str:
        return self.prefix + "onshift"

    def alerted(self, ticket_id: str) -> str:
        return self.prefix + "alerted:" + ticket_id


class Keys:
    """Every Redis key of one namespace."""

    def __init__(self, namespace: str) -> None:
        if not namespace or "{" in namespace or "}" in namespace or namespace.endswith(":"):
            raise ValueError(f"a namespace must be non-empty, hold no braces and not end with ':': {namespace!r}")
        self.ns = namespace

    def _key(self, kind: str, tag: str, *rest: str) -> str:
        return ":".join((self.ns, kind, _tag(tag), *rest))

    # One user: tag {<user>}.
    def user(self, user: str, part: UserPart) -> str:
        return self._key("u", user, part)

    def user_data(self, user: str) -> list[str]:
        """Everything kept under a user's key (what "delete my data" deletes), except the turn's lock."""
        return [self.user(user, part) for part in get_args(UserPart) if part != "lock"]

    def dedup(self, user: str, channel: str, external_id: str) -> str:
        """A platform message id this user's turn already processed (set in the state commit)."""
        return self._key("dedup", user, channel, external_id)

    # One queue: tag {<queue>}.
    def queue(self, name: str) -> QueueKeys:
        return QueueKeys(self._key("mq", name))

    # One sender's rates: tag {<channel>}.
    def rates(self, channel: str) -> RateKeys:
        return RateKeys(self._key("rl", channel))

    # The ticket queue: tag {hq}.
    @property
    def tickets(self) -> TicketKeys:
        return TicketKeys(self._key("hq", "hq") + ":")

    # Single keys, each its own tag.
    @property
    def failed(self) -> str:
        """The list of messages never delivered (or processed), for supervisors."""
        return self._key("outbox", "failed")

    @property
    def nlu_review(self) -> str:
        """Unsure NLU readings, scrubbed, for staff to label (bot/cli/nlu_review.py)."""
        return self._key("nlu", "review")

    def whatsapp(self, sid: str, part: Literal["sent", "status", "bc"]) -> str:
        return self._key("wa", sid, part)

    def broadcast(self, broadcast_id: int | str) -> str:
        """A broadcast's live counters (sent, delivered, read, failed …) and its cancelled flag."""
        return self._key("bc", str(broadcast_id), "counts")

    def simulator_inbox(self, user: str) -> str:
        return self._key("sim", user, "inbox")

    def console_session(self, sid: str) -> str:
        return self._key("console", sid, "session")

    # Analytics (bot/store/analytics.py): tag {an}.
    @property
    def analytics_pending(self) -> str:
        """Turns' analytics events waiting for the flusher (a list; one entry per turn, no text, no user)."""
        return self._key("an", "an", "pending")

    def analytics_salt(self, week: str) -> str:
        """The random salt of one week's pseudonymous actors; it expires a day after the week ends."""
        return self._key("an", "an", "salt", week)

    def leader(self, job: str) -> str:
        """The lock that makes one process the leader of a periodic job (the weekly tips' scheduler)."""
        return self._key("sched", job, "leader")

    @classmethod
    def patterns(cls) -> list[str]:
        """Every key pattern, as docs/REDIS.md and docs/RETENTION.md write them (without `<ns>:`):
        `<name>` is one segment, `<name…>` may hold colons."""
        k = cls("<ns>")
        queue, rates, hq = k.queue("<queue…>"), k.rates("<channel>"), k.tickets
        found = [*(k.user("<user>", part) for part in get_args(UserPart)), k.dedup("<user>", "<channel>", "<id…>"),
                 queue.list("<user>"), queue.ready, queue.parked, queue.lease("<user>"),
                 queue.strike("<user>", "<digest>"), queue.alive, queue.seen("<channel>", "<id…>"),
                 queue.pushed("<batch>"), queue.broadcast("<id>", "<user>"), rates.paused, rates.pace("<pace>"),
                 rates.pace("<pace>", "<user>"),
                 k.failed, k.nlu_review, k.whatsapp("<sid>", "sent"), k.whatsapp("<sid>", "status"),
                 k.whatsapp("<sid>", "bc"), k.broadcast("<id>"),
                 k.simulator_inbox("<user>"), k.console_session("<sid>"), k.leader("<job>"),
                 k.analytics_pending, k.analytics_salt("<week>"),
                 hq.transcript("<id>"), hq.ticket("<id>"),
                 hq.open("<user>"), hq.waiting, hq.claimed, hq.touched, hq.onshift, hq.alerted("<id>")]
        return [key.removeprefix("<ns>:") for key in found]
