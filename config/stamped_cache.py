"""A process's cache of rows kept under the stamp they were read with.

The sign-in's user and patient (patients.api.authentication) and a patient's enrolments
(rehab.care.selectors.enrollment) are kept this way: a database trigger gives a row a new stamp at
every change, a request reads the stamp (cheap) and takes what is kept only when it matches. So
what a process keeps is never staler than what the database holds, whoever changed it. Bounded:
the least recently used key goes first. A threaded server shares one cache between its threads.
"""

import threading
from collections import OrderedDict
from collections.abc import Hashable


class StampedCache:
    def __init__(self, size: int):
        self.size = size
        self._kept: OrderedDict[Hashable, tuple[object, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, stamp: object) -> object | None:
        """What is kept under `key` if it was kept with `stamp`, else None."""
        with self._lock:
            entry = self._kept.get(key)
            if entry is None or entry[0] != stamp:
                return None
            self._kept.move_to_end(key)
        return entry[1]

    def keep(self, key: Hashable, stamp: object, value: object) -> None:
        with self._lock:
            self._kept[key] = (stamp, value)
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)
