"""One lock for the first import of the big ML stacks.

torch, transformers and ultralytics are imported lazily, in whichever worker thread needs them
first. Two threads importing them at once (the analysis queue and a search, say) can trip
transformers' lazy module loader ("Could not import module 'PreTrainedModel'"). Holding this lock
around those first imports makes them happen one at a time; later imports are dictionary lookups.
"""

from __future__ import annotations

import threading

IMPORT_LOCK = threading.RLock()
