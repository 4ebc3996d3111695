"""Write docs/cli.md from the real `--help` output of every command (run: make docs)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

from diaspora_observatory.cli import main

HEADER = """# Command line reference

Generated from the commands' own `--help` by `make docs`; a test fails when this page is out of date.
"""


def command_paths(group: click.Group = main, prefix: tuple[str, ...] = ()):
    ctx = group.make_context("diaspora", ["--help"], resilient_parsing=True)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))


def render() -> str:
    runner = CliRunner()
    parts = [HEADER]
    for path in [(), *command_paths()]:
        result = runner.invoke(main, [*path, "--help"], terminal_width=100, prog_name="diaspora")
        title = " ".join(("diaspora", *path))
        parts.append(f"\n## {title}\n\n```text\n{result.output.rstrip()}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    target = Path(__file__).with_name("cli.md")
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
