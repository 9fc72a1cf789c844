"""The project's own promises: one dependency list, the README's commands wired to CI."""

from __future__ import annotations

import ast
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


# The layers of the package, lowest first: a module may import its own layer and those below.
LAYERS = {"vocabulary": 0, "i18n": 0, "numbers": 0, "provinces": 0, "offices": 0, "paths": 0, "provenance": 0, "ingest": 1, "analysis": 2,
          "sample": 2, "reporting": 3, "batch": 4, "cli": 5, "__main__": 5}


def package_imports(source: str, package: tuple[str, ...]) -> set[str]:
    """The top-level parts of thads_analysis (layer or shared module) that ``source``, a module of
    ``package`` (("thads_analysis", "ingest"), say), imports."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(package[:len(package) - node.level + 1]) + (node.module.split(".") if node.module else [])
            targets = [base] if node.module else [base + [alias.name] for alias in node.names]
            found.update(t[1] for t in targets if len(t) > 1)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("thads_analysis."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("thads_analysis."))
    return found - {"__version__"}


def test_no_module_imports_a_layer_above_its_own():
    upward = []
    for path in (PROJECT_ROOT / "thads_analysis").rglob("*.py"):
        if "bundled" in path.parts or path.name == "__init__.py" and path.parent.name == "thads_analysis":
            continue
        part = path.relative_to(PROJECT_ROOT / "thads_analysis").parts[0].removesuffix(".py")
        package = path.relative_to(PROJECT_ROOT).parts[:-1]
        upward += [f"{path.relative_to(PROJECT_ROOT)} imports {dep}"
                   for dep in package_imports(path.read_text(encoding="utf-8"), package) if LAYERS[dep] > LAYERS[part]]
    assert upward == []


def test_the_layer_test_sees_an_upward_import():
    """The check above would catch ingest reaching into reporting, relatively or absolutely."""
    source = "from ..reporting import charts\nfrom . import schema\nimport thads_analysis.batch.run\n"
    assert package_imports(source, ("thads_analysis", "ingest")) == {"reporting", "ingest", "batch"}
