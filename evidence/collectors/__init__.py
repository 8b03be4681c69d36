"""Collectors: plugins that read inputs and yield evidence items (they know nothing of controls)."""
