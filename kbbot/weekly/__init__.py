"""Weekly moments in each person's own timezone, and whose prompt and digest is when: the calendar the scheduler and the services share."""
