#!/usr/bin/env python3
"""Set up a virtual environment on first use, then run the demo or the tests.

    python3 scripts/dev.py demo [omnicx demo options]   # install, generate, serve
    python3 scripts/dev.py test [pytest options]        # install, run the test suite

Only the Python standard library is used here, so this works on a fresh machine with
Python 3.11+. Versions are pinned by ``constraints.txt``; the environment is reinstalled
when ``pyproject.toml`` or ``constraints.txt`` change.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("OMNICX_VENV", ROOT / ".venv"))
STAMP = VENV / ".install-stamp"


def _python() -> Path:
    return VENV / ("Scripts" if os.name == "nt" else "bin") / "python"


def _install_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "constraints.txt"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_environment() -> Path:
    if sys.version_info < (3, 11):
        sys.exit(f"OmniCX needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not _python().exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    fingerprint = _install_fingerprint()
    if not STAMP.exists() or STAMP.read_text() != fingerprint:
        print("installing OmniCX and its pinned dependencies", flush=True)
        subprocess.run(
            [
                str(_python()),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "-q",
                "-c",
                str(ROOT / "constraints.txt"),
                "-e",
                f"{ROOT}[test]",
            ],
            check=True,
        )
        STAMP.write_text(fingerprint)
    return _python()


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "serve", "shell"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    python = ensure_environment()
    if command == "test":
        args = [str(python), "-m", "pytest", *rest]
    elif command == "shell":
        args = [str(python), *rest]
    else:
        args = [str(python), "-m", "omnicx", command, *rest]
    return subprocess.call(args, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
