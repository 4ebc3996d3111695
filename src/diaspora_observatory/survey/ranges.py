"""The XLSForm ``range`` question: a number from ``start`` to ``end`` in steps of ``step``.

ODK Collect and Enketo show it as a slider; the observatory shows a number field and checks on the
server what the slider would enforce: the answer lies between ``start`` and ``end`` and on the grid
``start + k * step``. Parameters are written as in XLSForm's ``parameters`` column,
``start=0 end=100 step=5`` (pairs separated by spaces, ``,`` or ``;``). Arithmetic is decimal so that
``step=0.1`` accepts 0.3, which binary floating point would not.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

RANGE_KEYS = ("start", "end", "step")
_PAIR = re.compile(r"^([A-Za-z_-]+)\s*=\s*(\S+)$")


def parse_parameters(text: str) -> tuple[dict[str, str], list[str]]:
    """The ``key=value`` pairs of a parameters cell and the problems found (as messages)."""
    found: dict[str, str] = {}
    problems = []
    for part in re.split(r"[\s,;]+", text.strip()):
        if not part:
            continue
        pair = _PAIR.match(part)
        if not pair:
            problems.append(f"'{part}' is not written key=value (as in start=0 end=10 step=1)")
            continue
        found[pair.group(1).lower()] = pair.group(2)
    return found, problems


def range_problems(parameters: dict[str, str]) -> list[str]:
    """What is wrong with a range question's parameters (empty when they are usable)."""
    problems = [f"the parameter '{key}' is not one of start, end, step" for key in parameters if key not in RANGE_KEYS]
    for key in ("start", "end"):
        if key not in parameters:
            problems.append(f"no {key}=…; write start, end and step, as in start=0 end=10 step=1")
    numbers = {}
    for key, value in parameters.items():
        if key in RANGE_KEYS:
            try:
                numbers[key] = Decimal(value)
            except InvalidOperation:
                problems.append(f"{key}={value} is not a number")
                continue
            if not numbers[key].is_finite():
                problems.append(f"{key}={value} is not a number")
    if problems:
        return problems
    step = numbers.get("step", Decimal(1))
    if step <= 0:
        problems.append(f"step={parameters.get('step')} must be greater than 0")
    elif numbers["end"] < numbers["start"]:
        problems.append(f"end={parameters['end']} is below start={parameters['start']}; the observatory reads "
                        "start as the lowest value")
    return problems


def bounds(parameters: dict[str, str]) -> tuple[Decimal, Decimal, Decimal]:
    """(start, end, step) of checked parameters (see :func:`range_problems`)."""
    return Decimal(parameters["start"]), Decimal(parameters["end"]), Decimal(parameters.get("step", "1"))


def whole(parameters: dict[str, str]) -> bool:
    """Whether every value of the range is a whole number (then answers are stored as integers)."""
    return all(number == number.to_integral_value() for number in bounds(parameters))


def range_value(parameters: dict[str, str], text: str) -> tuple[int | float | None, str, dict[str, str]]:
    """The answer ``text`` as a number of the range, or (None, message template, its parameters)."""
    start, end, step = bounds(parameters)
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None, "enter a number", {}
    if not number.is_finite():
        return None, "enter a number", {}
    shown = {"start": parameters["start"], "end": parameters["end"], "step": parameters.get("step", "1")}
    if number < start or number > end:
        return None, "enter a number from {start} to {end}", shown
    if (number - start) % step != 0:
        return None, "enter a number from {start} to {end} in steps of {step}", shown
    return (int(number) if whole(parameters) else float(number)), "", {}
