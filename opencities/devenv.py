"""The development .env that `make setup` writes and `make run` keeps at the address it serves.

    python opencities/devenv.py [--file .env] --site-url http://127.0.0.1:8000 [--if-missing]

The settings read the file (opencities/settings.py, ENV_FILE) so that `python manage.py …` works as the README
writes it, with no variable exported. A missing file is written with DEBUG and DEMO_MODE on, a SECRET_KEY made
here and SITE_URL; an existing one keeps every line (its key too) and only its SITE_URL follows --site-url,
unless --if-missing. Nothing else reads it: the environment wins over it, and the test suite and `make bench`
read none. Standard library only: it runs before anything is installed.
"""

import argparse
import re
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HEADER = """\
# Development settings for this clone, written by `make setup` (opencities/devenv.py); never commit it.
# Read by opencities/settings.py for every command run here; a variable of the environment wins over
# its line. `make run HOST=… PORT=…` sets SITE_URL to the address it serves. Production uses none of this.
"""
SITE_URL_LINE = re.compile(r"^\s*(export\s+)?SITE_URL\s*=.*$", re.MULTILINE)


def development_values(site_url: str) -> dict[str, str]:
    return {
        "DEBUG": "1",
        "DEMO_MODE": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SITE_URL": site_url,
    }


def write(path: Path, *, site_url: str, if_missing: bool = False) -> str:
    """Write or update the file; say what was done, in words."""
    site_url = site_url.rstrip("/")
    if not path.exists():
        lines = [f"{name}={value}" for name, value in development_values(site_url).items()]
        path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
        path.chmod(0o600)  # it holds a signing key
        return f"{path.name}: written (DEBUG and DEMO_MODE on, a new SECRET_KEY, SITE_URL={site_url})"
    if if_missing:
        return f"{path.name}: kept as it is"
    text = path.read_text(encoding="utf-8")
    line = f"SITE_URL={site_url}"
    if SITE_URL_LINE.search(text):
        updated = SITE_URL_LINE.sub(line, text, count=1)
    else:
        updated = text + ("" if text.endswith("\n") or not text else "\n") + line + "\n"
    if updated == text:
        return f"{path.name}: SITE_URL={site_url}"
    path.write_text(updated, encoding="utf-8")
    return f"{path.name}: SITE_URL set to {site_url}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python opencities/devenv.py", description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=BASE_DIR / ".env", help="the file (default: .env of the clone)")
    parser.add_argument("--site-url", required=True, help="the address the development server answers at")
    parser.add_argument("--if-missing", action="store_true", help="leave an existing file as it is")
    arguments = parser.parse_args(argv)
    print(write(arguments.file, site_url=arguments.site_url, if_missing=arguments.if_missing))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
