"""Expert routing: who is asked to help with a question, how often, when, and what happens if nobody answers.

:mod:`~kbbot.routing.ranking` chooses, :mod:`~kbbot.routing.budget` keeps
the weekly ping budget, :mod:`~kbbot.routing.hours` knows working hours,
:mod:`~kbbot.routing.invitations` records and words invitations, and
:mod:`~kbbot.routing.ladder` escalates step by step until the question is
answered or its asker is told honestly.
"""
