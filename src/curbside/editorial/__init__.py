"""editorial stage."""
