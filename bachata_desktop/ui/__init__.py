"""The Qt user interface. Widgets only: work goes to ``workers``."""
