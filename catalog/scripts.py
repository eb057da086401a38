"""The Lua scripts of the data model, loaded once per Redis client."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from redis import Redis
from redis.commands.core import Script

_LUA = Path(__file__).with_name("lua")


@cache
def _source(name: str) -> str:
    return (_LUA / f"{name}.lua").read_text(encoding="utf-8")


def script(redis: Redis, name: str, *libraries: str) -> Script:
    """A registered script (EVALSHA with a fallback to EVAL) for catalog/lua/<name>.lua, with the
    shared functions of lib.lua, then of each of libraries, in front of it."""
    return redis.register_script(_combined(name, libraries))


@cache
def _combined(name: str, libraries: tuple[str, ...]) -> str:
    return "\n".join(_source(part) for part in ("lib", *libraries, name))
