"""Microsoft Teams adapter on botbuilder: activities in, Adaptive Cards out."""
