"""groom: backlog refinement for user stories kept as markdown files in git."""

__version__ = "0.1.0"
