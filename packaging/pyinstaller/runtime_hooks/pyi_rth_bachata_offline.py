"""Runtime hook: make the frozen app offline and quiet before any application code runs.

Why here and not only in ``bachata_desktop.offline.harden()``: a runtime hook runs before the first
import of the app, so no third-party module can read its environment earlier, whichever entry point
(GUI or CLI) starts. ``harden()`` still runs at start-up and sets the same values with setdefault.

- OpenVINO posts telemetry on import unless ``openvino_telemetry`` is unimportable (the spec also
  leaves the module out of the bundle); ultralytics and Hugging Face are switched offline.
- A windowed Windows exe has ``sys.stdout``/``sys.stderr`` set to None, which breaks libraries that
  write progress; they go to ``$BACHATA_STDIO_LOG`` when set (CI reads the self-check output from
  there), else to a null device.
"""

import os
import sys

sys.modules.setdefault("openvino_telemetry", None)
for _key, _value in {
    "YOLO_OFFLINE": "1",
    "YOLO_AUTOINSTALL": "False",
    "YOLO_VERBOSE": "False",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TOKENIZERS_PARALLELISM": "false",
    "DO_NOT_TRACK": "1",
}.items():
    os.environ.setdefault(_key, _value)

if sys.stdout is None or sys.stderr is None:
    _target = os.environ.get("BACHATA_STDIO_LOG") or os.devnull
    _stream = open(_target, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 (lives with the process)
    if sys.stdout is None:
        sys.stdout = _stream
    if sys.stderr is None:
        sys.stderr = _stream
