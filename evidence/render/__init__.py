"""Rendering: Jinja templates to HTML, and HTML to PDF through WeasyPrint."""
