"""Bachata Buddy Desktop: an offline-first app for bachata instructors."""

from __future__ import annotations

__version__ = "0.1.0"
APP_NAME = "Bachata Buddy"
APP_ID = "bachata-buddy"          # platformdirs app name
BUNDLE_ID = "com.bachatabuddy.desktop"
ORG_NAME = "Bachata Buddy"
