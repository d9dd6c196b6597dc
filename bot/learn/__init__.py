"""The curator loop: opt-in anonymous log of what the bot could not answer, feedback, stats, review."""
