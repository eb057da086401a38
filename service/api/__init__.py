"""API v1 blueprints, one module per resource."""
