"""What `serve` does before it answers, runnable in a process of its own: the schema, then demo data."""

from server.config import Settings


def prepare_database(settings: Settings, demo: bool = False) -> None:
    """Upgrade the schema; with --demo, seed an empty database. Imports inside: the supervisor of several
    workers hands this to a child process and must not load the application itself."""
    from server.migrate import upgrade  # alembic and every table (~0.9 s, 8 MB): never in the supervisor

    upgrade(settings)
    if demo:
        from server.demo.seed import seed_if_empty  # the whole application: only with --demo, in the child

        seed_if_empty(settings)
