"""Who may do what: the users file, password hashes, and the rules of each role.

Access control is off while there is no users file (the demo), and says so; it is off on
purpose with FAZHI_USERS=none. Once a users file is configured — FAZHI_USERS names one, or
data/users.toml existed when this process first looked — everyone logs in and gets one role,
and a users file that goes missing or breaks closes the dashboard, never opens it:

- `viewer`: the topic pages and the overview;
- `uploader`: those, plus 数据上报 for the sheets of their own department only;
- `admin`: everything, plus 上报台账 (the load log), 管理 (freeze, roll back, audit trail) and
  年度报告 (the annual report's draft, which small-count protection does not apply to).

Passwords are kept only as salted scrypt hashes (`scrypt$n$r$p$salt$hash`, base64),
compared in constant time. No Streamlit here: the dashboard and the CLI both use it.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import hmac
import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

from etl import settings

ROLES = ("viewer", "uploader", "admin")
ROLE_NAMES = {"viewer": "查看", "uploader": "上报", "admin": "管理员"}
DEPARTMENTS = ("党政综合办", "司法所", "综治办", "禁毒办")

# Actions the pages ask about. REPORT sees every department's figures unprotected in one
# document (the town's own report): only an admin, who may see and change everything anyway.
VIEW, UPLOAD, LEDGER, ADMINISTER, REPORT = "view", "upload", "ledger", "administer", "report"
_ALLOWED = {
    "viewer": {VIEW},
    "uploader": {VIEW, UPLOAD},
    "admin": {VIEW, UPLOAD, LEDGER, ADMINISTER, REPORT},
}

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_MAXMEM = 64 * 1024 * 1024


@dataclass(frozen=True)
class User:
    name: str
    role: str
    department: str | None = None
    password_hash: str = ""
    version: str = ""  # changes when the password does; a session keeps this, never the hash
    town: str | None = None  # in a district, the only town an uploader's files may be of (its name)

    def may(self, action: str) -> bool:
        return action in _ALLOWED.get(self.role, set())

    def for_session(self) -> User:
        """The user as a session keeps them: everything but the password's hash."""
        return dataclasses.replace(self, password_hash="")

    @property
    def departments(self) -> frozenset[str] | None:
        """Departments whose sheets this user may upload; None means any (an admin)."""
        if self.role == "admin":
            return None
        if self.role == "uploader" and self.department:
            return frozenset({self.department})
        return frozenset()


# The person when access control is off: the demo, a single-user desk.
NOBODY = User("看板", "admin")


OFF = "none"  # FAZHI_USERS=none: no logins, on purpose (a single desk)
_default_seen = False  # data/users.toml existed when this process looked


def users_file() -> Path | None:
    """The users file: FAZHI_USERS, else data/users.toml; None when switched off on purpose."""
    configured = os.environ.get("FAZHI_USERS", "").strip()
    if configured.lower() == OFF:
        return None
    return Path(configured) if configured else settings.DATA_DIR / "users.toml"


@dataclass(frozen=True)
class Access:
    mode: str  # "off" (no users file, the demo), "on", or "broken" (configured, but missing or unreadable)
    message: str = ""


def state(path: Path | None = None) -> Access:
    """Whether logins are needed, and whether the users file can be trusted right now."""
    global _default_seen
    explicit = path is not None or bool(os.environ.get("FAZHI_USERS", "").strip())
    path = path or users_file()
    if path is None:
        return Access("off", "本看板设置为不要求登录（FAZHI_USERS=none），所有人可用全部页面。")
    if path.is_file():
        if not explicit:
            _default_seen = True
        try:
            read_users(path)
        except UsersFileError as problem:
            return Access("broken", f"用户文件 {path.name} 无法读取（{problem}）。看板已暂停使用，请系统管理员修复后刷新页面。")
        return Access("on")
    if explicit or _default_seen:
        return Access("broken", f"找不到用户文件 {path.name}。看板已暂停使用，请系统管理员恢复该文件后刷新页面。")
    return Access("off", "演示模式：没有设置用户，所有人可用全部页面。正式使用前请用 python -m etl user add 添加用户。")


def enabled(path: Path | None = None) -> bool:
    """Logins are needed (also when the users file broke: nobody gets in then)."""
    return state(path).mode != "off"


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=_MAXMEM)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        expected_digest = base64.b64decode(expected)
        digest = hashlib.scrypt(
            password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), maxmem=_MAXMEM, dklen=len(expected_digest)
        )
        return hmac.compare_digest(digest, expected_digest)
    except (ValueError, TypeError):
        return False


# Checked when nobody of that name exists, so a wrong name costs as long as a wrong password.
@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown names against, so they take as long as known ones (made on the
    first login, not when the dashboard starts)."""
    return hash_password(secrets.token_hex(8))


class UsersFileError(ValueError):
    """The users file is not as `python -m etl user add` writes it."""


_read_cache: dict[tuple[str, int, int], dict[str, User]] = {}


def read_users(path: Path | None = None) -> dict[str, User]:
    """The users file (cached by its size and modification time: it is read on every page run)."""
    path = path or users_file()
    if path is None or not path.is_file():
        return {}
    info = path.stat()
    key = (str(path), info.st_mtime_ns, info.st_size)
    if key not in _read_cache:
        _read_cache.clear()
        _read_cache[key] = _parse_users(path)
    return _read_cache[key]


def _parse_users(path: Path) -> dict[str, User]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsersFileError("不是有效的 TOML 文件") from exc
    users = {}
    for entry in raw.get("user", []) if isinstance(raw.get("user", []), list) else []:
        if not isinstance(entry, dict) or "name" not in entry or "role" not in entry:
            raise UsersFileError("有一条用户记录缺少 name 或 role")
        password = str(entry.get("password", ""))
        version = hashlib.sha256(password.encode("utf-8")).hexdigest()[:12]
        user = User(str(entry["name"]), str(entry["role"]), entry.get("department") or None, password, version, entry.get("town") or None)
        if user.role not in ROLES:
            raise UsersFileError(f"用户“{user.name}”的角色“{user.role}”无效，可选：{'、'.join(ROLES)}")
        if not user.password_hash.startswith("scrypt$"):
            raise UsersFileError(f"用户“{user.name}”的密码不是 scrypt 散列：请用 python -m etl user add 设置")
        users[user.name] = user
    return users


def current(user: User, path: Path | None = None) -> User | None:
    """The same person as the users file says now (role, department, password version), or
    None when they were removed. Asked on every page run: a demotion or a new password takes
    effect in sessions already logged in."""
    found = read_users(path).get(user.name)
    return None if found is None else found.for_session()


def authenticate(name: str, password: str, path: Path | None = None) -> User | None:
    """The user if the name and password match; None otherwise (never says which was wrong)."""
    user = read_users(path).get(name.strip())
    if user is None:
        verify_password(password, _dummy_hash())
        return None
    return user if verify_password(password, user.password_hash) else None


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_users(users: dict[str, User], path: Path | None = None) -> Path:
    """Write the users file atomically, readable by its owner only."""
    path = path or users_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# 法治看板的用户（python -m etl user add 写入；密码只存 scrypt 散列）", ""]
    for user in users.values():
        lines += ["[[user]]", f"name = {_quote(user.name)}", f"role = {_quote(user.role)}"]
        if user.department:
            lines.append(f"department = {_quote(user.department)}")
        if user.town:
            lines.append(f"town = {_quote(user.town)}")
        lines += [f"password = {_quote(user.password_hash)}", ""]
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    os.replace(draft, path)
    return path


def remove_user(name: str, path: Path | None = None) -> bool:
    """Remove a user; returns whether one of that name existed. Sessions of theirs end at their next click."""
    users = read_users(path)
    if name.strip() not in users:
        return False
    del users[name.strip()]
    write_users(users, path)
    return True


def add_user(name: str, role: str, password: str, department: str | None = None, path: Path | None = None, town: str | None = None) -> User:
    """Add a user, or replace the role, department, town and password of one of that name.
    `town` (a town's name, checked by the caller) limits an uploader to that town's files."""
    name = name.strip()
    if not name:
        raise ValueError("用户名不能为空")
    if role not in ROLES:
        raise ValueError(f"角色应为 {' / '.join(ROLES)}")
    if role == "uploader" and department not in DEPARTMENTS:
        raise ValueError(f"上报用户须指定部门：{'、'.join(DEPARTMENTS)}")
    if role != "uploader":
        department = town = None
    if len(password) < 8:
        raise ValueError("密码至少 8 位")
    users = read_users(path)
    user = User(name, role, department, hash_password(password), town=town)
    users[name] = user
    write_users(users, path)
    return user


def failure_delay(failures: int) -> float:
    """Seconds to wait before answering a failed login: nothing for the first few, then
    growing, so guessing a password from the login form is slow."""
    return 0.0 if failures < 3 else min(0.5 * 2 ** (failures - 3), 8.0)
