"""Stage 1: read one executable into facts, lazily, from memory-mapped bytes."""
