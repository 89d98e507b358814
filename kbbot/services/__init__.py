"""Business rules, one module per capability; each takes a session and plain values."""
