"""Run-the-class mode: the full-screen projector view (see ``window.py``)."""
