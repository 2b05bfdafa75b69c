"""The development .env: `make setup` writes it, commands run by hand read it, the environment wins over it, and
neither the test suite nor `make bench` ever reads it (README, Settings; opencities/devenv.py).

Settings are read once at start, so each case runs a fresh Python process on a file of its own (ENV_FILE).
"""

import json
import os
import subprocess
import sys
import tomllib

import pytest
from django.conf import settings

from opencities import devenv

from .test_settings import PRODUCTION, ROOT, run

POISON_KEY = "poison-from-the-env-file-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH"
READ = """
import json
from django.conf import settings as s
print(json.dumps({"debug": s.DEBUG, "demo": s.DEMO_MODE, "key": s.SECRET_KEY, "site": s.SITE_URL}))
"""


@pytest.fixture
def poisoned_env_file(tmp_path):
    """A .env whose every value would show if it were read."""
    path = tmp_path / ".env"
    path.write_text(f"DEBUG=1\nDEMO_MODE=1\nSECRET_KEY={POISON_KEY}\nSITE_URL=http://poison.test:9\nFROM_ENV_FILE=1\n")
    return path


def test_setup_writes_development_values_and_run_moves_only_the_site_url(tmp_path):
    path = tmp_path / ".env"
    devenv.write(path, site_url="http://127.0.0.1:8000", if_missing=True)
    first = path.read_text()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    values = dict(line.split("=", 1) for line in first.splitlines() if line and not line.startswith("#"))
    assert values.keys() == {"DEBUG", "DEMO_MODE", "SECRET_KEY", "SITE_URL"}
    assert (values["DEBUG"], values["DEMO_MODE"], values["SITE_URL"]) == ("1", "1", "http://127.0.0.1:8000")
    assert len(values["SECRET_KEY"]) >= 50

    # `make setup` again keeps the file; `make run PORT=8100` moves SITE_URL and keeps the key and any line added.
    path.write_text(first + "EMAIL_URL=smtp://localhost:1025\n")
    devenv.write(path, site_url="http://127.0.0.1:8000", if_missing=True)
    devenv.write(path, site_url="http://127.0.0.1:8100/")
    second = path.read_text()
    assert "SITE_URL=http://127.0.0.1:8100\n" in second and second.count("SITE_URL=") == 1
    assert f"SECRET_KEY={values['SECRET_KEY']}\n" in second and "EMAIL_URL=smtp://localhost:1025\n" in second
    assert devenv.development_values("x")["SECRET_KEY"] != values["SECRET_KEY"]  # each clone has a key of its own


def test_commands_read_the_env_file_and_the_environment_wins(tmp_path):
    path = tmp_path / ".env"
    devenv.write(path, site_url="http://127.0.0.1:8100")
    key = next(line for line in path.read_text().splitlines() if line.startswith("SECRET_KEY=")).split("=", 1)[1]

    # Nothing exported: `manage.py shell -c` loads the models (it said "Models aren't loaded yet" without DEBUG).
    shell = run(
        ["manage.py", "shell", "-c", READ.replace("import json", "import json\nfrom assessments.models import City")],
        ENV_FILE=str(path),
    )
    assert shell.returncode == 0, shell.stderr
    assert json.loads(shell.stdout.splitlines()[-1]) == {
        "debug": True,
        "demo": True,
        "key": key,
        "site": "http://127.0.0.1:8100",
    }

    # Production values from the real environment win over every line of the file.
    result = run(READ, ENV_FILE=str(path), **PRODUCTION, DEMO_MODE="0")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "debug": False,
        "demo": False,
        "key": PRODUCTION["SECRET_KEY"],
        "site": PRODUCTION["SITE_URL"],
    }


def test_the_suite_reads_no_env_file():
    """pytest-env forces ENV_FILE empty (not a default a developer's environment could replace)."""
    configured = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["env"]
    assert "ENV_FILE=" in configured
    assert os.environ["ENV_FILE"] == "" and settings.ENV_FILE == ""


@pytest.mark.skipif(not os.environ.get("OPENCITIES_INNER_CHECK"), reason="run by the next test, in a pytest of its own")
def test_inner_check_nothing_of_the_env_file_arrived():
    assert "FROM_ENV_FILE" not in os.environ
    assert settings.SECRET_KEY != POISON_KEY and settings.SITE_URL != "http://poison.test:9"


def test_a_pytest_run_given_an_env_file_does_not_read_it(poisoned_env_file):
    environment = {**os.environ, "ENV_FILE": str(poisoned_env_file), "OPENCITIES_INNER_CHECK": "1"}
    environment.pop("PYTEST_XDIST_WORKER", None)
    command = [sys.executable, "-m", "pytest", "-n", "0", "-p", "no:cacheprovider", "-q", "--no-header"]
    command.append(f"{__file__}::test_inner_check_nothing_of_the_env_file_arrived")
    result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=99, check=False)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout + result.stderr


def test_make_bench_does_not_read_it(poisoned_env_file):
    code = "import bench.__main__ as bench\nbench.apply_environment()\nimport os\n"
    code += READ + 'assert "FROM_ENV_FILE" not in os.environ\n'
    result = run(code, ENV_FILE=str(poisoned_env_file))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert (values["debug"], values["demo"], values["site"]) == (False, False, "http://testserver")
    assert values["key"] != POISON_KEY
