"""The home page keeps its browse blocks in the cache for a minute (lecture_hall.selectors):
each test starts without them, so no test reads another's rolled-back sessions."""

from collections.abc import Iterator

import pytest

from lecture_hall.services.sessions import hall_browse_forget


@pytest.fixture(autouse=True)
def _no_cached_browse_blocks() -> Iterator[None]:
    hall_browse_forget()
    yield
    hall_browse_forget()
