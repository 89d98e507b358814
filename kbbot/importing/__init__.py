"""Importing a chat platform's history export (``kbbot import``): day one is not empty.

The adapter reads the export (:mod:`kbbot.contract.history`); here the core decides what is
knowledge (:mod:`.questions`, :mod:`.threads`), writes it through the same models and rules as
live capture (:mod:`.writer`), and reports (:mod:`.run`, :mod:`.summary`, :mod:`.progress`).
"""
