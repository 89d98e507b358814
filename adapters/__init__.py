"""Platform adapters, installed as ``kbbot_adapters``.

Each adapter translates its platform's payloads into :mod:`kbbot.contract.events`
and renders :mod:`kbbot.contract.replies`; none holds a business rule.
"""
