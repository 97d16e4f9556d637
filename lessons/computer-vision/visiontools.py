"""Helpers for the Computer Vision lessons."""
