"""Qt glue for long work: jobs on named QThreadPools, results delivered on the GUI thread."""
