"""Pure domain: dataclasses and rules. Imports only the standard library and numpy."""
