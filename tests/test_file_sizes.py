"""Every Python file of the project stays under 500 lines (issue 14): past that, a module mixes concerns
and is split (queries, rules, the public shape; one screen per module)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 500


def test_every_python_file_is_under_500_lines():
    files = [p for d in ("server", "shared", "client", "tests", "bench", "scripts") if (ROOT / d).is_dir()
             for p in (ROOT / d).rglob("*.py")]
    assert len(files) > 100  # the walk sees the project
    too_long = {str(p.relative_to(ROOT)): n for p in files
                if (n := len(p.read_text(encoding="utf-8").splitlines())) >= LIMIT}
    assert too_long == {}
