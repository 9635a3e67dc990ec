"""The floor the throughput bench measures the desk against: Django answering
"hello" under the same gunicorn settings, with no middleware, no database,
no templates — what a request costs before the desk does any work."""
