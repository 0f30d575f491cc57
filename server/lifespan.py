"""Start and stop of the live-push bus, the PostgreSQL listener and the scheduler, in the app's lifespan."""

import asyncio
import contextlib
import logging

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from server.records import hints
from server.scheduler.clock import SystemClock
from server.scheduler.service import Runner
from server.sync import bus as busmod
from server.wiring import jobs

log = logging.getLogger(__name__)

TICK_SECONDS = 60


def install(app: FastAPI) -> None:
    app.state.bus = busmod.Bus()
    app.state.scheduler = None
    app.state.on_start.append(_start_bus)
    app.state.on_stop.append(_stop_bus)
    if app.state.settings.run_scheduler:
        app.state.on_start.append(start_scheduler)
        app.state.on_stop.append(stop_scheduler)


async def _start_bus(app: FastAPI) -> None:
    bus: busmod.Bus = app.state.bus
    bus.bind_loop(asyncio.get_running_loop())
    settings = app.state.settings
    app.state.bus_listener = None
    ready = asyncio.Event()
    if settings.redis_url and settings.is_sqlite:
        # Several workers on one SQLite file: hints travel through Redis (PostgreSQL uses NOTIFY).
        import redis  # only a deployment with Redis has it installed and needs it loaded

        channel = busmod.redis_channel(str(settings.database_url))
        hints.attach_redis(app.state.db.engine, redis.Redis.from_url(settings.redis_url), channel)
        app.state.bus_listener = asyncio.create_task(
            busmod.listen_redis(settings.redis_url, channel, bus, ready))
    elif settings.is_sqlite and settings.workers > 1:
        # Several workers on one SQLite file and no Redis: each reads the change log for what others wrote.
        app.state.bus_listener = asyncio.create_task(
            busmod.listen_log(app.state.db.engine, bus, settings.push_poll_seconds, ready))
    elif settings.is_sqlite:
        hints.attach(app.state.db.engine, bus)
        return
    else:
        app.state.bus_listener = asyncio.create_task(busmod.listen(str(settings.database_url), bus, ready))
    try:
        await asyncio.wait_for(ready.wait(), timeout=10)
    except TimeoutError:
        log.warning("live-push listener not ready yet; it starts when the database (or Redis) answers")


async def _stop_bus(app: FastAPI) -> None:
    app.state.bus.close()
    hints.detach(app.state.db.engine)
    task = getattr(app.state, "bus_listener", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def start_scheduler(app: FastAPI) -> None:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler  # loaded by the one process that schedules

    runner = Runner(app.state.db, jobs(), clock=getattr(app.state, "clock", None))
    app.state.job_runner = runner

    async def tick() -> None:
        await run_in_threadpool(runner.run_due)

    scheduler = AsyncIOScheduler(timezone="UTC")
    # First run at once: work missed while the server was down is done on start.
    scheduler.add_job(tick, "interval", seconds=TICK_SECONDS, id="tick", max_instances=1, coalesce=True,
                      next_run_time=SystemClock().now())
    scheduler.start()
    app.state.scheduler = scheduler


async def stop_scheduler(app: FastAPI) -> None:
    scheduler = app.state.scheduler
    if scheduler is not None:
        scheduler.shutdown(wait=False)
        app.state.scheduler = None
    runner = getattr(app.state, "job_runner", None)
    if runner is not None:
        await run_in_threadpool(runner.stop)
