"""Entry script of the frozen app.

PyInstaller runs its entry script as ``__main__`` outside any package, so the bundle starts here
rather than at ``bachata_desktop/__main__.py`` (whose own imports stay package-relative). The
multiprocessing call lets a frozen child process (joblib, torch DataLoader) start without
re-launching the GUI.
"""

from __future__ import annotations

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from bachata_desktop.__main__ import main

    sys.exit(main())
