"""What the build keeps between runs under _build/: the names of its files and folders, and each store."""
