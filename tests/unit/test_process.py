"""The allocator tuning applies on glibc, and leaves an operator's own MALLOC_* settings alone."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

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
