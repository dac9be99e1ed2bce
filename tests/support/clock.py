"""The instant most tests run at, with the one clock frozen there (tests/conftest.py's `frozen_clock`)."""

from datetime import UTC, datetime

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
