"""The report builder: every table, figure and claim of a case as HTML, Markdown and (optionally) PDF."""
