"""Catalogs: where files that flow between steps are kept."""
