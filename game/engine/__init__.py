"""The simulation: pure Python, no I/O, no clock, no global state."""
