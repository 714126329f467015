"""PyInstaller hook for torchvision, replacing pyinstaller-hooks-contrib's.

Why: torchvision >= 0.29 keeps its C++ operators (NMS, which ultralytics calls for every pose
prediction, and the image codecs) in ``_C_stable.so`` / ``image_stable.so``, loaded with
``torch.ops.load_library`` by file name. The contrib hook still asks for the old ``torchvision._C``
module and the default library patterns only match ``lib*.so``, so the frozen app failed with
"operator torchvision::nms does not exist". Collect every shared library in the package instead
(older releases' ``_C.so``/``_C.pyd`` included); their own dependencies (``torchvision.libs``)
then follow by binary dependency analysis.
"""

from __future__ import annotations

from PyInstaller.utils.hooks import collect_dynamic_libs

binaries = collect_dynamic_libs(
    "torchvision", search_patterns=["*.so", "*.so.*", "*.pyd", "*.dll", "*.dylib"])
# Source .py files for TorchScript, as the contrib hook does.
module_collection_mode = "pyz+py"
