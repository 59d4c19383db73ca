"""Pages of the trainings app."""
