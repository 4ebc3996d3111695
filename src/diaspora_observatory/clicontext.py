"""Settings every `diaspora` command shares, so that help looks the same however a command is reached."""

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
