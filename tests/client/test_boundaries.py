"""The client stays light for phones: it never imports the server or its database stack."""

import subprocess
import sys


def test_client_imports_no_server_or_database_packages():
    code = (
        "import sys, client.app, client.phone, client.__main__; "
        "heavy = {'server', 'sqlalchemy', 'sqlmodel', 'fastapi', 'alembic', 'psycopg'}; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
