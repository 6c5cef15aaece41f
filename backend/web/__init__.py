"""Serving the built web app (frontend/dist) from the API process."""
