"""Peak resident memory of a piece of work inside a (child) process.

On Linux the peak (VmHWM) is reset just before the work by writing 5 to /proc/self/clear_refs,
so the figure is the work's own peak above what the process held before it, not an earlier
high-water mark. Elsewhere it falls back to ru_maxrss (a lower bound on the growth).
Used as source text by tests that run it in a child process (``PEAK_HELPERS``).
"""

PEAK_HELPERS = '''
import resource


def _status_kb(key):
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def start_peak():
    """Resident KiB now, after resetting the peak where the OS allows it."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass
    now = _status_kb("VmRSS")
    return now if now is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_growth(before):
    """KiB the peak rose above ``before`` (a start_peak() value)."""
    peak = _status_kb("VmHWM")
    if peak is None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max(0, peak - before)
'''
