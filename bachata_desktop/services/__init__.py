"""Use cases that combine analysis and the store. Qt-free."""
