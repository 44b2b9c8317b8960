"""Log-in rate limiting: too many failures for one username or one client address lock them out
for a while.

Counts live in the runtime (per server process), which stops online guessing at each worker;
with several workers an attacker gets at most ``workers ×`` the attempts, still bounded. The
window slides: failures older than ``WINDOW`` no longer count.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

from steward.errors import StewardError

WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20


class TooManyAttempts(StewardError):
    status = 429
    title = "Too Many Requests"


@dataclass
class LoginThrottle:
    window: float = WINDOW_SECONDS
    per_user: int = MAX_FAILURES_PER_USER
    per_address: int = MAX_FAILURES_PER_ADDRESS
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def check(self, *, username: str, address: str) -> None:
        """Raise TooManyAttempts when this user or address failed too often lately."""
        now = time.monotonic()
        with self._lock:
            user = self._recent(f"user:{username.strip().lower()}", now)
            addr = self._recent(f"addr:{address}", now)
            if len(user) >= self.per_user or len(addr) >= self.per_address:
                wait = int(self.window - (now - min(user[0] if user else now,
                                                     addr[0] if addr else now))) + 1
                raise TooManyAttempts(f"too many failed log-ins: try again in {wait // 60 + 1} "
                                      "minutes")

    def failed(self, *, username: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(f"user:{username.strip().lower()}", now).append(now)
            self._recent(f"addr:{address}", now).append(now)

    def succeeded(self, *, username: str) -> None:
        with self._lock:
            self._failures.pop(f"user:{username.strip().lower()}", None)
