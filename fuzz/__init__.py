"""A fuzzing harness for godet's readers: structure-aware mutations of real Go binaries.

See docs/robustness.md.
"""
