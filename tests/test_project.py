"""The project's own promises: one dependency list, the README's commands wired to CI."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def pyproject_dependencies() -> set[str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return set(project["dependencies"]) | set(project["optional-dependencies"]["test"])


def conda_pip_dependencies() -> set[str]:
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    return {spec for spec in pip if not spec.startswith("-e")}


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    assert conda_pip_dependencies() == pyproject_dependencies()


def test_environment_yml_python_matches_requires_python():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8"))
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.removeprefix("python") == project["requires-python"]


def test_every_dependency_has_a_lower_bound():
    for spec in pyproject_dependencies():
        assert re.search(r">=\d", spec), spec


def test_ci_runs_the_readme_test_command():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in readme and "make report" in readme
    assert re.search(r"^make test$", ci, flags=re.MULTILINE)
