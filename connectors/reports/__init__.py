"""The self-contained HTML report page with inline SVG charts."""
