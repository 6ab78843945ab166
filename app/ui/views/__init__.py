"""Flet views, one module per screen group; they call the store and the view state, never SQL."""
