"""Names vulture (``make lint``: ``vulture src tools/vulture_whitelist.py --min-confidence 80``) reports as
unused that are used: each line says by whom."""

# documents/codebook.py _load_cached: part of the lru_cache key, so an edited codebook file is read again
mtime_ns  # noqa: B018, F821
# documents/importer.py handle_starttag: html.parser.HTMLParser calls it with (tag, attrs)
attrs  # noqa: B018, F821
