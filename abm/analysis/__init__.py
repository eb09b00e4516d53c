"""Statistics, comparisons, sensitivity indices, figures and summaries, read from the store."""
