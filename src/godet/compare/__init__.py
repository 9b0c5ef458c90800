"""godet stage package."""
