"""Hosting: the one-process server that composes the adapters and the scheduler, and its supervised children."""
