"""Marshmallow schemas: what the API accepts and returns, and so its OpenAPI document."""
