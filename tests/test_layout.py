"""The package's layout: imports go only downward, so there is no import cycle.

Every import in every module counts, also those inside functions (a lazy import is still a
dependency) and under ``TYPE_CHECKING``. The layers, from the bottom:

0. errors, config, _version, text (joining sentences: shared by nlp/ and translation/);
1. records (the typed records, a failure carrying its error), markdown (the CommonMark parser,
   and the translated copy of a document);
2. inputs/, nlp/, translation/, outputs/: the stages, which never import one another;
3. pipeline: the chain over nlp/ and translate/; workers (``run --jobs``: the worker processes,
   which get the pipeline, never import it);
4. batch (the runner over a destination), feeds/ and api (the Python API);
5. cluster/;
6. cli/; 7. ``__main__``; 8. the package's ``__init__`` (the public API, imported lazily).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import translate_pipeline

PACKAGE = Path(translate_pipeline.__file__).parent
LAYERS = {
    "errors": 0, "config": 0, "_version": 0, "text": 0,
    "records": 1, "markdown": 1,
    "inputs": 2, "nlp": 2, "translation": 2, "outputs": 2,
    "pipeline": 3, "workers": 3,
    "batch": 4, "feeds": 4, "api": 4,
    "cluster": 5,
    "cli": 6, "__main__": 7,
    "translate_pipeline": 8,
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The package module an imported name lives in (the longest known prefix)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str, path: Path) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names]  # a submodule, or a name
        else:
            continue
        for name in names:
            found = _resolve(name)
            if found is not None and found != module:
                targets.add(found)
    return targets


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _layer(module: str) -> tuple[int, str]:
    top = module.split(".")[1] if "." in module else module
    return LAYERS[top], top


def test_the_import_graph_sees_the_package():
    assert "translate_pipeline.batch" in GRAPH["translate_pipeline.cli.run"]  # a lazy import
    assert "translate_pipeline.errors" in GRAPH["translate_pipeline.nlp.summarize"]  # relative
    assert len(MODULES) > 40


def test_every_module_has_a_layer():
    assert not [m for m in MODULES if (m.split(".")[1] if "." in m else m) not in LAYERS]


def test_there_is_no_import_cycle():
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                cycle = path[path.index(target):] + [target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


def test_imports_only_go_downward():
    upward = []
    for module, targets in sorted(GRAPH.items()):
        layer, top = _layer(module)
        for target in sorted(targets):
            target_layer, target_top = _layer(target)
            if target_top != top and target_layer >= layer:
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_a_cycle_would_be_seen(tmp_path, monkeypatch):
    # the check itself can fail: two modules that import each other are a cycle
    (tmp_path / "a.py").write_text("from translate_pipeline.records import Article\n")
    monkeypatch.setitem(MODULES, "translate_pipeline.records_copy", tmp_path / "a.py")
    imports = _imports("translate_pipeline.records_copy", tmp_path / "a.py")
    assert imports == {"translate_pipeline.records"}
    monkeypatch.setitem(GRAPH, "translate_pipeline.records_copy", imports)
    monkeypatch.setitem(GRAPH, "translate_pipeline.records",
                        GRAPH["translate_pipeline.records"] | {"translate_pipeline.records_copy"})
    with pytest.raises(pytest.fail.Exception, match="import cycle: .*records"):
        test_there_is_no_import_cycle()
