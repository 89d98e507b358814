"""How the core presents knowledge: question, answer and hit cards, and charts for reports."""
