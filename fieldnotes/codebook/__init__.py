"""The codebook: its file format, its tree, and keeping a project in step with a file."""
