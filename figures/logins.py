"""Login attempts, counted across every session of every server process and across restarts,
per user name and per client address, so parallel sessions gain an attacker nothing.

Each attempt is counted *before* its password is checked, under a file lock, so forty
sessions guessing at once cannot all slip in before the first failure is written. A name
gets NAME_ATTEMPTS tries, then is locked for LOCK_MINUTES; an address gets ADDRESS_ATTEMPTS
failed tries in that window, then is locked too. A successful login clears its name. Unknown
names are counted like known ones, so a lock never tells whether a name exists.

The state is a small JSON file beside the users file (`<users>.logins.json`, 0600).
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

NAME_ATTEMPTS = 5
ADDRESS_ATTEMPTS = 20
LOCK_MINUTES = 15
_WINDOW = LOCK_MINUTES * 60


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    wait_minutes: int = 0  # how long until the lock ends, rounded up


def state_file(users: Path) -> Path:
    return users.with_name(f"{users.name}.logins.json")


def _locked(path: Path):
    """Open the state file locked for this process; yields (handle, state)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    handle = os.fdopen(fd, "r+", encoding="utf-8")
    fcntl.flock(handle, fcntl.LOCK_EX)
    try:
        text = handle.read()
        state = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        state = {}
    return handle, state


def _save(handle, state: dict) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps(state, ensure_ascii=False))
    handle.flush()
    os.fsync(handle.fileno())


def _recent(stamps: list[float], now: float) -> list[float]:
    return [t for t in stamps if now - t < _WINDOW]


def begin(users: Path, name: str, address: str, now: float | None = None) -> Verdict:
    """Count an attempt for this name and address; allowed only if neither is locked."""
    now = time.time() if now is None else now
    handle, state = _locked(state_file(users))
    try:
        names, addresses = state.setdefault("names", {}), state.setdefault("addresses", {})
        tried = _recent(names.get(name, []), now)
        failed_here = _recent(addresses.get(address, []), now)
        blocking = []
        if len(tried) >= NAME_ATTEMPTS:
            blocking.append(tried[-NAME_ATTEMPTS])
        if len(failed_here) >= ADDRESS_ATTEMPTS:
            blocking.append(failed_here[-ADDRESS_ATTEMPTS])
        if blocking:
            wait = max(_WINDOW - (now - oldest) for oldest in blocking)
            return Verdict(False, max(1, int(-(-wait // 60))))
        names[name] = [*tried, now]
        _save(handle, state)
        return Verdict(True)
    finally:
        handle.close()


def finish(users: Path, name: str, address: str, success: bool, now: float | None = None) -> None:
    """A success clears the name's count; a failure counts against the address too."""
    now = time.time() if now is None else now
    handle, state = _locked(state_file(users))
    try:
        if success:
            state.setdefault("names", {}).pop(name, None)
        else:
            addresses = state.setdefault("addresses", {})
            addresses[address] = [*_recent(addresses.get(address, []), now), now]
        _save(handle, state)
    finally:
        handle.close()
