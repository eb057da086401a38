"""Marshmallow schemas: the one definition of what the API accepts and returns (and of its OpenAPI document)."""
