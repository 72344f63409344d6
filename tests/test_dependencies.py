"""The suite runs on the locked dependencies: every Python package in the
environment is pinned in requirements.lock at the version installed, and every
dependency that pyproject.toml declares is pinned. `make audit` checks exactly
those versions, so what it clears is what was tested."""
from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
TOOLS = {"pip", "setuptools", "wheel", "survey-app"}  # the installer, and this project itself
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)$")


def _lock() -> dict[str, str]:
    pins: dict[str, str] = {}
    for number, line in enumerate((ROOT / "requirements.lock").read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        match = PIN.match(line.strip())
        assert match, f"requirements.lock line {number} is not name==version: {line!r}"
        name = canonicalize_name(match[1])
        assert name not in pins, f"{name} is pinned twice"
        pins[name] = match[2]
    return pins


def test_every_installed_package_is_pinned_at_its_version():
    pins = _lock()
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    unpinned = sorted(set(installed) - set(pins) - TOOLS)
    assert not unpinned, f"installed but not in requirements.lock (run `make lock`): {unpinned}"
    different = {name: (installed[name], pins[name]) for name in pins
                 if name in installed and installed[name] != pins[name]}
    assert not different, f"installed version ≠ locked version: {different}"
    missing = sorted(set(pins) - set(installed))
    assert not missing, f"locked but not installed (run `make setup`): {missing}"


def test_every_declared_dependency_is_locked_within_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [Requirement(text) for text in
                project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]]
    pins = _lock()
    for requirement in declared:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is declared in pyproject.toml but not locked"
        assert requirement.specifier.contains(pins[name], prereleases=True), \
            f"{requirement.name}=={pins[name]} is outside {requirement.specifier}"
