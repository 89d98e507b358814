"""Weekly working-out-loud prompts and digests, scheduled with APScheduler (issue 5)."""
