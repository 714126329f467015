from __future__ import annotations

import pytest


@pytest.fixture
def jobs(qtbot):
    from bachata_desktop.workers.manager import JobManager

    manager = JobManager()
    yield manager
    # Fail any test that leaves pool jobs running.
    leftover = manager.active()
    assert manager.shutdown(10000), "pool jobs still running after the test"
    assert not leftover or all(j.state in ("finished", "failed", "cancelled") for j in leftover), \
        f"test left jobs running: {[j.title for j in leftover]}"
