"""Keeps the garbage collector's full passes short in a serving process (`python -m server serve`).

A worker holds some 100 MB of long-lived objects (modules, the app, SQLAlchemy's mappers and compiled
statements). Python's full collection walks all of them: 50-85 ms each, triggered every few seconds
under load, and every request of that worker waits meanwhile (bench/checkin_evening.py, open loop, the
pauses logged with gc.callbacks). Once the app has started those objects stay for the process's life,
so they are moved out of the collector's sight: the full passes that remain walk only what came after.
"""

import gc

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """After the app's start-up (the last of its start hooks), freeze what is there."""

    async def settle(_app: FastAPI) -> None:
        settle_now()

    app.state.on_start.append(settle)


def settle_now() -> None:
    gc.collect()  # garbage of the start-up goes first, rather than being kept forever
    gc.freeze()
