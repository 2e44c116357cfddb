"""Sources: readers that turn files in real public formats into Documents."""
