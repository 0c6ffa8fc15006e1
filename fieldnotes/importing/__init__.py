"""Importing field material: reading each format into the one normal text, with its metadata."""
