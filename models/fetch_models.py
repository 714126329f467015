"""Fetch and verify the model files an installer bundles, on a build machine.

Why: an instructor's first launch may be offline, so every model the app needs must be inside the
installer, and only bytes whose sha256 is pinned in ``models/manifest.json`` may get there. This
script is build tooling: the app never runs it, and the test suite only points it at local
``file://`` or ``127.0.0.1`` sources.

For each entry of ``manifest["models"]`` it checks the files under ``--dest`` (default: this
folder) and, for a missing or wrong one, takes a copy from a ``--from`` folder or downloads it
(``url`` of the entry or file, else ``--base-url``/<file>/<name>), writes ``<name>.partial``,
checks size and sha256 and only then moves it into place. A mismatch is refused and deleted.
Entries with ``bundled_by`` arrive through a pip package and are only verified with
``--check-installed``; entries with ``built_by`` are made by a script (the OpenVINO text model by
``packaging/convert_text_model.py``) and only verified with ``--check``. ``manifest["unpinned"]`` lists candidates whose sha256 is not pinned yet:
they are never downloaded.

Usage::

    python models/fetch_models.py                      # verify, download what is missing
    python models/fetch_models.py --from ../shared/models
    python models/fetch_models.py --base-url https://example.org/bachata-models
    python models/fetch_models.py --check              # verify only, never download

Exit status: 0 when every bundled file is present and verified, 1 otherwise (one line per problem
on stderr).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.json"
ENV_LOCAL_ONLY = "BACHATA_FETCH_LOCAL_ONLY"  # tests: refuse any source but file:// and loopback
TIMEOUT_S = 60


class FetchError(Exception):
    """A file could not be fetched or did not verify; the message is one line for a person."""


@dataclass(frozen=True)
class Wanted:
    """One file the bundle needs: where it goes, what it must hash to, where it may come from."""

    entry: str        # manifest entry name
    rel: str          # path under --dest, e.g. "yolov8n-pose_int8_openvino_model/yolov8n-pose.bin"
    sha256: str
    size: int | None
    url: str | None   # explicit URL from the manifest, if any


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def load_manifest(path: Path = MANIFEST) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FetchError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data.get("models"), list):
        raise FetchError(f"{path} has no 'models' list")
    return data


def wanted_files(entry: dict) -> list[Wanted]:
    """The files of one manifest entry: a folder model lists them under 'files'."""
    name = entry.get("name") or entry.get("file") or "?"
    base = entry["file"]
    if "files" in entry:
        return [Wanted(name, f"{base}/{fname}", meta.get("sha256") or "", meta.get("size"),
                       meta.get("url")) for fname, meta in entry["files"].items()]
    return [Wanted(name, base, entry.get("sha256") or "", entry.get("size"), entry.get("url"))]


def verify_file(path: Path, want: Wanted) -> str | None:
    """None if ``path`` holds exactly the pinned bytes, else a reason."""
    if not path.is_file():
        return "missing"
    if want.size is not None and path.stat().st_size != want.size:
        return f"size {path.stat().st_size} != {want.size}"
    digest = sha256_file(path)
    if digest != want.sha256:
        return f"sha256 {digest} != {want.sha256}"
    return None


def _check_source_allowed(url: str) -> None:
    if not os.environ.get(ENV_LOCAL_ONLY):
        return
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "file" or parts.hostname in {"127.0.0.1", "localhost", "::1"}:
        return
    raise FetchError(f"refusing {url}: {ENV_LOCAL_ONLY} is set (only file:// and loopback)")


def _download(url: str, target: Path) -> None:
    _check_source_allowed(url)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as resp, open(target, "wb") as out:
            shutil.copyfileobj(resp, out, 1 << 20)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(
            f"cannot download {url}: {reason}. Fetching models needs internet on the build machine "
            "(or pass --from DIR with a copy)") from exc


def fetch_one(want: Wanted, dest: Path, sources: list[Path], base_url: str | None) -> str:
    """Make ``dest/want.rel`` hold the pinned bytes; returns what was done."""
    target = dest / want.rel
    if not want.sha256:
        raise FetchError(f"{want.rel}: no sha256 pinned in the manifest; refusing to bundle it")
    if verify_file(target, want) is None:
        return "ok"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    attempts: list[str] = []
    candidates: list[tuple[str, str]] = [("copy", str(src / want.rel)) for src in sources]
    if want.url:
        candidates.append(("url", want.url))
    if base_url:
        candidates.append(("url", base_url.rstrip("/") + "/" + urllib.parse.quote(want.rel)))
    if not candidates:
        raise FetchError(f"{want.rel} is missing and the manifest gives no URL for it: pass "
                         "--from DIR (a folder holding a copy) or --base-url URL")
    for kind, where in candidates:
        try:
            if kind == "copy":
                if not Path(where).is_file():
                    attempts.append(f"{where}: not there")
                    continue
                shutil.copyfile(where, partial)
            else:
                _download(where, partial)
            problem = verify_file(partial, want)
            if problem is not None:
                raise FetchError(f"{where} does not match the manifest ({problem}); refused")
            os.replace(partial, target)
            return f"fetched from {where}"
        except FetchError as exc:
            attempts.append(str(exc))
        finally:
            partial.unlink(missing_ok=True)
    raise FetchError(f"{want.rel}: " + "; ".join(attempts))


def check_installed(entry: dict) -> list[str]:
    """Problems of an entry delivered by a pip package (empty when every file verifies)."""
    import importlib

    module = entry.get("python_module")
    if not module:
        return [f"{entry.get('name')}: 'bundled_by' entry without 'python_module'"]
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        return [f"{entry.get('name')}: {module} is not installed ({exc})"]
    root = Path(mod.get_model_path()) if hasattr(mod, "get_model_path") else Path(mod.__file__).parent
    problems = []
    for want in wanted_files(entry):
        rel = want.rel.split("/", 1)[1] if "/" in want.rel else want.rel
        problem = verify_file(root / rel, want)
        if problem:
            problems.append(f"{root / rel}: {problem}")
    return problems


def run(dest: Path, sources: list[Path], base_url: str | None, check_only: bool,
        installed: bool, manifest: Path = MANIFEST, only: list[str] | None = None) -> int:
    data = load_manifest(manifest)
    failures = 0
    for entry in data["models"]:
        name = entry.get("name", entry.get("file"))
        if only and name not in only:
            continue
        if entry.get("bundled_by"):
            if installed:
                problems = check_installed(entry)
                for p in problems:
                    print(f"FAIL {p}", file=sys.stderr)
                failures += len(problems)
                print(f"{'ok  ' if not problems else 'FAIL'} {name} (installed by "
                      f"{entry['bundled_by']})")
            else:
                print(f"skip {name}: delivered by {entry['bundled_by']}")
            continue
        if entry.get("built_by") and not check_only:
            # Made from other files by a script, never downloaded: only verified (with --check).
            print(f"skip {name}: built by {entry['built_by']}")
            continue
        for want in wanted_files(entry):
            try:
                if check_only:
                    problem = verify_file(dest / want.rel, want)
                    if problem:
                        raise FetchError(f"{want.rel}: {problem}")
                    print(f"ok   {want.rel}")
                else:
                    done = fetch_one(want, dest, sources, base_url)
                    print(f"ok   {want.rel}" if done == "ok" else f"got  {want.rel} ({done})")
            except FetchError as exc:
                failures += 1
                print(f"FAIL {exc}", file=sys.stderr)
    for cand in data.get("unpinned", []):
        print(f"note {cand.get('name')}: sha256 not pinned yet, never fetched ({cand.get('url')})")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dest", type=Path, default=HERE, help="folder to fill (default: models/)")
    ap.add_argument("--from", dest="sources", type=Path, action="append", default=[],
                    help="folder holding copies (same layout); may repeat")
    ap.add_argument("--base-url", default=os.environ.get("BACHATA_MODELS_URL") or None,
                    help="URL prefix: <base>/<file>/<name> (default: $BACHATA_MODELS_URL)")
    ap.add_argument("--check", action="store_true", help="verify only; never copy or download")
    ap.add_argument("--check-installed", action="store_true",
                    help="also verify models delivered by pip packages")
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    ap.add_argument("--only", action="append", help="entry name to process; may repeat")
    args = ap.parse_args(argv)
    try:
        return run(args.dest, args.sources, args.base_url, args.check, args.check_installed,
                   args.manifest, args.only)
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
