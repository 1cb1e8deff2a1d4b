"""Request hooks that keep hostile input and framing out: edge guards (control characters,
out-of-range ids, deep JSON, body size), security headers, ProxyFix.  Web-side by nature:
installed by the app factory, listed in tests/test_architecture.py WEB_SIDE."""
