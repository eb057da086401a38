"""The HTTP service and the command line: Flask app, API views, `neurotag` CLI and the local supervisor."""
