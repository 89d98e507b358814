"""The path every event takes: persist (inbox), dispatch once, store the replies (outbox), work after the ack (worker)."""
