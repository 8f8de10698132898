"""Relief handout and donation lists (CSV/XLSX) and report writers (table/csv/json)."""
