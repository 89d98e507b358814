"""Slack adapter on Bolt: translates Slack payloads into core events and renders replies as Block Kit."""
