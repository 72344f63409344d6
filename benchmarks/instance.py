"""One demo instance for all the benchmarks of a run.

`survey-app init --demo` (accounts, the seed visit, the sealing certificate with its
RSA-3072 key) takes about 4 s; it is made once per process and copied into each
benchmark's folder, as the tests' `demo_instance` fixture does.
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from tests.live import LiveServer

_MADE: list[Path] = []


def demo_server(folder: Path) -> LiveServer:
    """A LiveServer (not started) on a copy of the demo instance in `folder`."""
    if not _MADE:
        made = Path(tempfile.mkdtemp(prefix="bench-demo-"))
        atexit.register(shutil.rmtree, made, ignore_errors=True)
        LiveServer(made).cli("init", "--demo")
        _MADE.append(made)
    shutil.copytree(_MADE[0] / "instance", Path(folder) / "instance")
    return LiveServer(Path(folder))
