"""Keep third-party ML stacks from phoning home.

An instructor's laptop in a studio is offline and expects zero connections it did not ask for.
Ultralytics probes DNS and sends analytics, Hugging Face tries the hub, and OpenVINO sends telemetry
on import. :func:`harden` is called once at start-up, before any of them is imported. With
``BACHATA_OFFLINE=1`` :func:`block_network` also refuses every non-loopback socket connection so the
guarantee does not depend on each library's own switches.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from typing import Any

from bachata_desktop import paths as _paths

_ORIGINAL_CONNECT = socket.socket.connect
_ORIGINAL_CONNECT_EX = socket.socket.connect_ex
_ORIGINAL_GETADDRINFO = socket.getaddrinfo
_blocked = False


class NetworkBlockedError(OSError):
    """Raised when code tries to reach the network while BACHATA_OFFLINE=1."""


def harden(config_dir: str | None = None) -> None:
    """Silence telemetry and hub lookups of the ML stacks (idempotent, cheap)."""
    os.environ.setdefault("YOLO_OFFLINE", "1")
    os.environ.setdefault("YOLO_AUTOINSTALL", "False")
    os.environ.setdefault("YOLO_VERBOSE", "False")
    if config_dir:
        os.environ.setdefault("YOLO_CONFIG_DIR", config_dir)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # OpenVINO's telemetry module sends to Google Analytics on import unless opted out; making it
    # unimportable makes openvino fall back to its no-op stub.
    sys.modules.setdefault("openvino_telemetry", None)  # type: ignore[arg-type]
    if _paths.is_offline():
        block_network()


def _is_loopback(host: Any) -> bool:
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _guard(address: Any) -> None:
    if isinstance(address, tuple) and address and not _is_loopback(address[0]):
        raise NetworkBlockedError(f"network access blocked (BACHATA_OFFLINE=1): {address[0]}")


def block_network() -> None:
    """Refuse every non-loopback connection and name lookup in this process."""
    global _blocked
    if _blocked:
        return

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _guard(address)
        return _ORIGINAL_CONNECT(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _guard(address)
        return _ORIGINAL_CONNECT_EX(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host):
            raise NetworkBlockedError(f"name lookup blocked (BACHATA_OFFLINE=1): {host}")
        return _ORIGINAL_GETADDRINFO(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
    _blocked = True


def unblock_network() -> None:
    """Undo :func:`block_network` (tests only)."""
    global _blocked
    socket.socket.connect = _ORIGINAL_CONNECT  # type: ignore[method-assign]
    socket.socket.connect_ex = _ORIGINAL_CONNECT_EX  # type: ignore[method-assign]
    socket.getaddrinfo = _ORIGINAL_GETADDRINFO
    _blocked = False
