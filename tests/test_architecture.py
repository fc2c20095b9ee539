"""Each stage imports only from the stages above it; only cli.py prints."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "digest"
# Each module may import the ones listed before it. A new module slots in here, once.
ORDER = ["errors", "workers", "languages", "config", "themes", "yaml_slips", "load", "images", "markdown", "entries", "cache", "read", "strings", "model", "syndication", "sections", "urls", "taxonomies", "stories", "issues", "related", "charts", "site", "views", "feeds", "render", "renditions", "reuse", "links", "engine", "write", "rendering", "search_format", "search_plan", "search", "build", "overlay", "http", "watch", "serve",
         "new", "scaffold", "override", "cli"]


def digest_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found.update(alias.name for alias in node.names if alias.name in ORDER)
            elif node.module and node.module.startswith("digest."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("digest."))
    return found


def modules() -> list[str]:
    return sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__"))


def test_every_module_has_a_place_in_the_order():
    assert set(modules()) <= set(ORDER), f"add {set(modules()) - set(ORDER)} to ORDER and to docs/developer/architecture.md"


def test_imports_point_one_way():
    for name in modules():
        allowed = set(ORDER[: ORDER.index(name)]) | {"__init__"}
        wrong = (digest_imports(PACKAGE / f"{name}.py") & set(modules())) - allowed
        assert not wrong, f"digest/{name}.py imports {sorted(wrong)}, which come after it"


def test_errors_uses_the_standard_library_only():
    tree = ast.parse((PACKAGE / "errors.py").read_text(encoding="utf-8"))
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert imported <= {"__future__", "difflib", "dataclasses", "re", "typing"}


def test_only_the_cli_prints():
    for name in modules():
        if name == "cli":
            continue
        tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"]
        assert not calls, f"digest/{name}.py calls print(); return values or raise DigestError instead"


def test_test_files_never_import_each_other():
    """Shared test code lives in conftest.py or a helper module (helpers.py, search_sites.py...):
    a test file imported by another runs its module fixtures and marks in the wrong place."""
    importing = {}
    for path in sorted(Path(__file__).resolve().parent.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        names |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        if any(name.split(".")[0].startswith("test_") for name in names):
            importing[path.name] = sorted(name for name in names if name.startswith("test_"))
    assert importing == {}
