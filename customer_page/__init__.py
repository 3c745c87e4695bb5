"""The customer's own page: opened from the personal link in their mail, it shows where
their engagement stands and lets them mark their own steps done (see app.py)."""
