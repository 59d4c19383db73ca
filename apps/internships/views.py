"""Pages of the internships app."""
