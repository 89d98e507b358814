"""The Teams adapter's backend on the Microsoft 365 Agents SDK (``KBBOT_TEAMS_SDK=agents``): see ../README.md."""
