"""The house rules of ARCHITECTURE.md that the code itself can show: a one-way pipeline, click only in cli.py."""
import ast

from conftest import ROOT

# Lowest first: a module may import only from its own layer or the layers below (and within its own package).
LAYERS = [
    {"errors", "output"},
    {"lines"},
    {"formats"},
    {"config"},
    {"lake"},
    {"pricing"},
    {"priced"},
    {"ingest"},
    {"views"},
    {"checks"},
    {"charts"},
    {"reports"},
    {"apps"},
    {"mail", "warehouse", "summary", "reconcile", "focus"},
    {"monthly", "alerts"},
    {"nightly"},
    {"samples"},
    {"demo"},
    {"cli", "__main__"},
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def unit(path) -> str:
    """pipeline/pricing/engine.py → pricing; pipeline/ingest.py → ingest."""
    parts = path.relative_to(ROOT / "pipeline").with_suffix("").parts
    return parts[0]


def imported_units(path) -> set[str]:
    """The pipeline units a file imports (lazy imports included): pipeline.<unit>…"""
    package = list(path.relative_to(ROOT / "pipeline").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package[:len(package) - (node.level - 1)]
            target = base + (node.module.split(".") if node.module else [])
        elif (node.module or "").startswith("pipeline."):
            target = node.module.split(".")[1:]
        else:
            continue
        found.update([target[0]] if target else [alias.name for alias in node.names if alias.name in RANK])
    return found


def test_every_module_has_a_layer():
    units = {unit(p) for p in (ROOT / "pipeline").rglob("*.py") if p.name != "__init__.py" or p.parent.name != "pipeline"}
    assert units <= set(RANK) | {"catalog"}, units - set(RANK)


def test_each_stage_imports_only_earlier_stages():
    wrong = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        if path == ROOT / "pipeline" / "__init__.py":
            continue  # the package root: sql helpers everyone uses, and connect(), the facade for notebooks
        own = unit(path)
        for other in imported_units(path) - {own}:
            if other in RANK and RANK[other] > RANK[own]:
                wrong.append(f"{path.relative_to(ROOT)} imports {other}")
    assert wrong == []


def test_only_cli_imports_click():
    users = [p.relative_to(ROOT).as_posix() for p in (ROOT / "pipeline").rglob("*.py")
             if any(isinstance(n, (ast.Import, ast.ImportFrom))
                    and any((a.name if isinstance(n, ast.Import) else n.module or "").split(".")[0] == "click"
                            for a in n.names)
                    for n in ast.walk(ast.parse(p.read_text(encoding="utf-8"))))]
    assert users == ["pipeline/cli.py"]


def test_no_sql_file_sits_outside_a_stage_folder():
    assert sorted(p.name for p in (ROOT / "sql").glob("*.sql")) == []
