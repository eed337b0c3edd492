"""The allocator tuning applies on glibc, and leaves an operator's own MALLOC_* settings alone; the
served app tunes the garbage collector once started."""

from __future__ import annotations

import gc
import platform
import subprocess
import sys

import pytest

from closet.entrypoints.http.asgi import app_factory
from closet.entrypoints.process import YOUNG_THRESHOLD, tune_collector

PROBE = "from closet.entrypoints.process import tune_allocator; print(tune_allocator())"


def run(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_applied_on_glibc_unless_the_operator_set_malloc_variables() -> None:
    assert run({"PATH": "/usr/bin:/bin"}) == "True"
    assert run({"PATH": "/usr/bin:/bin", "MALLOC_ARENA_MAX": "4"}) == "False"


def test_opencv_is_loaded_only_when_something_renders() -> None:
    """OpenCV costs a process about 30 MB: the app and the job runner start without it."""
    probe = (
        "import sys; from closet.entrypoints.http.app import create_app; import closet.container; "
        "print('cv2' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"


def test_the_collector_is_tuned_for_a_server_once_it_has_started() -> None:
    before = gc.get_threshold()
    try:
        tune_collector()
        assert gc.get_freeze_count() > 0  # what exists at start is out of the collector's sight
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *before[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_the_served_app_tunes_the_collector_when_it_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOSET_PROFILE", "memory")
    monkeypatch.setenv("CLOSET_JWT_SECRET", "s" * 40)
    assert tune_collector in app_factory().on_startup
