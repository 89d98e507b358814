"""Platform adapters, installed as ``kbbot_adapters``.

Each adapter translates its platform's payloads into :mod:`kbbot.events`
and renders :mod:`kbbot.replies`; none holds a business rule.
"""
