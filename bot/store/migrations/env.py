"""Alembic environment: migrations run against the URL given by bot.store.db.upgrade."""

from __future__ import annotations

from alembic import context

from bot.store.db import Base, make_engine

config = context.config
engine = make_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///./seguros.db")
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
