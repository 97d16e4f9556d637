"""What `import` reads: notebooks and flattened exports, their helper files, learntools tracks and their metadata."""
