"""The house rules of the server's imports (docs/architecture.md): floors, domains, no circles.

Read from the source (every `import` of every module under server/, those inside functions included), not
by importing anything. A module sits on one floor; it may import its own floor and the floors below, never
one above. Domains may import only the domains named for them in DOMAIN_USES. Known exceptions are listed
in ALLOWED with a reason each: the list only ever shrinks.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. "hooks" is where the domains plug in (the code showed it needs a floor of its own): the
# sync provider interface and the device view, the offline-action registry and the scheduler's job type.
FLOORS = ["kit", "records", "access", "hooks", "domains", "sync", "app"]

# Module (or package) -> floor; the longest matching name wins.
PLACES: dict[str, str] = {
    # kit: no domain knowledge
    "server": "kit",  # server/__init__.py
    "server.kit": "kit",
    "server.config": "kit",
    "server.db": "kit",
    "server.timeutil": "kit",
    "server.errors": "kit",
    "server.fields": "kit",
    "server.tables": "kit",
    "server.openapi": "kit",
    "server.auth.security": "kit",  # password hashing and token signing, nothing about users
    "server.scheduler": "kit",  # package marker
    "server.scheduler.clock": "kit",
    "server.scheduler.leader": "kit",
    "server.scheduler.models": "kit",
    # records: what every domain writes to and nobody owns
    "server.records": "records",
    # access: who is calling and what they may touch
    "server.access": "access",
    "server.auth": "access",  # package marker
    "server.auth.principal": "access",
    "server.auth.models": "access",
    "server.auth.service": "access",
    "server.auth.throttle": "access",
    "server.deps": "access",
    # hooks: the interfaces domains register with
    "server.sync": "hooks",  # package marker
    "server.sync.registry": "hooks",
    "server.sync.actions": "hooks",
    "server.sync.models_ext": "hooks",
    "server.scheduler.service": "hooks",
    # domains
    "server.orgs": "domains",
    "server.members": "domains",
    "server.audit": "domains",
    "server.auth.router": "domains",
    "server.notifications": "domains",
    "server.meetings": "domains",
    "server.documents": "domains",
    "server.year": "domains",
    "server.study": "domains",
    "server.system": "domains",
    # sync: the feed, cursor, push and live events machinery (imports no domain)
    "server.sync.bus": "sync",
    "server.sync.cursor": "sync",
    "server.sync.idle": "sync",
    "server.sync.service": "sync",
    "server.sync.stream": "sync",
    "server.sync.router": "sync",
    "server.sync.providers": "sync",  # providers of records (organisation, member): no domain in them
    # app: the factory, its wiring and lifespan, the command line, demo and generated data, migrations
    "server.app": "app",
    "server.housekeeping": "app",  # the daily cleanup job spans auth, sync and notifications
    "server.wiring": "app",
    "server.lifespan": "app",
    "server.__main__": "app",
    "server.prepare": "app",
    "server.migrate": "app",
    "server.migrations": "app",
    "server.models": "app",  # every table, for Alembic
    "server.copydb": "app",
    "server.backup": "app",
    "server.demo": "app",
    "server.generate": "app",
}

# Which other domains a domain may import (its own package is always allowed).
DOMAIN_USES: dict[str, set[str]] = {
    "orgs": set(),
    "members": {"orgs"},
    "audit": {"orgs"},
    "auth": {"members"},  # the account routes (own profile) read members
    "notifications": {"orgs"},
    # an agenda item carries documents: meetings ask documents who may see one, never the other way round
    "meetings": {"orgs", "members", "notifications", "documents"},
    "documents": {"orgs", "members", "notifications"},
    "year": {"orgs", "members", "notifications", "meetings", "documents"},
    "study": {"documents"},  # a check and an essay are on a document the caller must see
    "system": set(),
}

# (importer, imported) -> why it is still there. Shrink it; never grow it without a reason.
ALLOWED: dict[tuple[str, str], str] = {
}

# Circles (as sorted module lists) still present, with why.
ALLOWED_CYCLES: dict[tuple[str, ...], str] = {
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted((ROOT / "server").rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    while name not in modules:
        if "." not in name:
            return None
        name = name.rsplit(".", 1)[0]
    return name


def _edges(modules: dict[str, Path]) -> set[tuple[str, str]]:
    edges = set()
    for module, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{module}: relative import"
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                if name.split(".")[0] != "server":
                    continue
                target = _resolve(name, modules)
                if target is not None and target != module:
                    edges.add((module, target))
    return edges


def floor_of(module: str) -> str:
    best = max((p for p in PLACES if module == p or module.startswith(p + ".")), key=len, default=None)
    assert best is not None, f"{module} has no floor: add it to PLACES"
    return PLACES[best]


def domain_of(module: str) -> str:
    return module.split(".")[1]


def violations(edges: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    found = {}
    for src, dst in edges:
        f_src, f_dst = floor_of(src), floor_of(dst)
        if FLOORS.index(f_dst) > FLOORS.index(f_src):
            found[(src, dst)] = f"{f_src} imports {f_dst}"
        elif f_src == f_dst == "domains":
            a, b = domain_of(src), domain_of(dst)
            if a != b and b not in DOMAIN_USES[a]:
                found[(src, dst)] = f"domain {a} imports domain {b}"
    return found


def cycles(edges: set[tuple[str, str]]) -> list[tuple[str, ...]]:
    """Strongly connected components of more than one module (Tarjan)."""
    graph: dict[str, list[str]] = {}
    for src, dst in edges:
        graph.setdefault(src, []).append(dst)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[tuple[str, ...]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                out.append(tuple(sorted(component)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(out)


def test_every_module_has_a_floor():
    for module in _modules():
        floor_of(module)


def test_no_import_climbs_up_or_crosses_domains():
    found = violations(_edges(_modules()))
    new = {edge: why for edge, why in found.items() if edge not in ALLOWED}
    assert not new, "imports against the floors:\n" + "\n".join(
        f"  {src} -> {dst}: {why}" for (src, dst), why in sorted(new.items()))


def test_allowlist_only_holds_live_exceptions():
    found = violations(_edges(_modules()))
    stale = sorted(edge for edge in ALLOWED if edge not in found)
    assert not stale, f"fixed, so take them off ALLOWED: {stale}"


def test_no_import_circles():
    found = cycles(_edges(_modules()))
    new = [c for c in found if c not in ALLOWED_CYCLES]
    assert not new, "import circles:\n" + "\n".join(f"  {' <-> '.join(c)}" for c in new)
    stale = [c for c in ALLOWED_CYCLES if c not in found]
    assert not stale, f"gone, so take them off ALLOWED_CYCLES: {stale}"


def _function_imports(path: Path) -> list[ast.Import | ast.ImportFrom]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {
        node.lineno: node
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(fn)
        if isinstance(node, ast.Import | ast.ImportFrom)
    }
    return [found[line] for line in sorted(found)]


def uncommented_function_imports(path: Path) -> list[int]:
    """Lines of imports inside functions with no comment saying why: on the line itself, on the line just
    above, or (a group of imports) on an import just above that has one."""
    lines = path.read_text(encoding="utf-8").splitlines()
    explained: set[int] = set()
    out = []
    for node in _function_imports(path):
        line = node.lineno
        above = lines[line - 2].strip() if line >= 2 else ""
        if "#" in lines[line - 1] or above.startswith("#") or line - 1 in explained:
            explained.add(line)
        else:
            out.append(line)
    return out


def test_imports_inside_functions_say_why():
    """An import inside a function saves a real cost (a heavy library, a driver only some installations
    have, the command line loading only its command), and its comment names it; any other import goes to
    the top of its module."""
    missing = [
        f"{path.relative_to(ROOT)}:{line}"
        for root in ("server", "shared")
        for path in sorted((ROOT / root).rglob("*.py"))
        for line in uncommented_function_imports(path)
    ]
    assert not missing, "imports inside functions without a comment naming the cost avoided:\n" + "\n".join(
        f"  {m}" for m in missing)

