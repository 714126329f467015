"""PyInstaller hook for OpenVINO (the wheel ships none).

Why: OpenVINO loads its device plugins and model-format frontends as shared libraries by file name
at run time (``openvino/libs``), so binary dependency analysis sees only ``libopenvino`` itself.
The app runs one model format (OpenVINO IR) on one device (CPU), so only the IR frontend, the CPU
plugin, the AUTO/HETERO/BATCH meta plugins and TBB/hwloc are collected. Left out on purpose: the
GPU and NPU plugins (~52 MB) with the GPU kernel cache ``cache.json``, and the ONNX, TensorFlow,
TF-Lite, PyTorch, Paddle, JAX and GGUF frontends (~20 MB) with their Python modules, which only
model conversion needs.
"""

from __future__ import annotations

from PyInstaller.utils.hooks import PY_DYLIB_PATTERNS, collect_dynamic_libs, collect_submodules

_UNUSED = (
    "intel_gpu_plugin", "intel_npu_plugin",
    "onnx_frontend", "tensorflow_frontend", "tensorflow_lite_frontend", "pytorch_frontend",
    "paddle_frontend", "jax_frontend", "gguf_frontend",
)
_UNUSED_PY = (
    "openvino.frontend.onnx", "openvino.frontend.tensorflow", "openvino.frontend.pytorch",
    "openvino.frontend.paddle", "openvino.frontend.jax", "openvino.tools",
)

# Linux names are fully versioned (libopenvino_ir_frontend.so.2641), which the default patterns
# miss: without the extra pattern the IR frontend is left out and no model can be read.
binaries = [
    (src, dest) for src, dest in collect_dynamic_libs(
        "openvino", search_patterns=[*PY_DYLIB_PATTERNS, "*.so.*"])
    if not any(name in src for name in _UNUSED)
]
# openvino/__init__ and its opsets import each other by name; collect them (minus the converters).
hiddenimports = collect_submodules(
    "openvino", filter=lambda name: not name.startswith(_UNUSED_PY)
)
excludedimports = list(_UNUSED_PY)
