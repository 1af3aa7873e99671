"""Fuzz target for the fact-file loader: valid files, mutated at random, must load or raise FactFileError.

    python tests/fuzz_loader.py --seconds 60 [--seed 1] [--crashes DIR] [--input FILE ...]

Each iteration takes one of the seed files (the bundled ``facts.toml`` and a
minimal valid base, or the files given with ``--input``), applies a few random
mutations (byte flips, TOML tokens, deleted/duplicated/swapped lines, values
replaced by values of another type, truncation, splicing two files), writes the
bytes to a temporary file and loads it with ``hohhot_cli.load.loader.load_facts``.
Loading may succeed or raise ``FactFileError``; any other exception (a
RecursionError, UnicodeDecodeError, ValueError, KeyError, ...) is a bug: its
input is saved to the crash directory, its traceback printed, and the exit
status is 1. The same ``--seed`` replays the same inputs.

The module is not a pytest test file (no ``test_`` names); ``tests/test_properties.py``
imports :func:`mutate` and :func:`check` to run the same mutations under Hypothesis.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hohhot_cli.load.loader import bundled_facts_path, load_facts
from hohhot_cli.model.errors import FactFileError

MINIMAL = """\
schema_version = 1
updated = 2026-01-01

[city]
name = "Hohhot"
name_zh = "呼和浩特"
province = "Inner Mongolia Autonomous Region"
province_zh = "内蒙古自治区"
source = "cd-mayor-2024"

[[sources]]
id = "cd-mayor-2024"
publisher = "China Daily"
title = "Innovation drives growth in Hohhot"
date = "2024-05-28"
authors = ["Yuan Hui", "Zou Shuo"]

[[industries]]
id = "dairy"
name = "Dairy"
name_zh = "乳业"
kind = "pillar"
aliases = ["milk"]
source = "cd-mayor-2024"

[[metrics]]
id = "gdp.total"
label = "GDP"
unit = "CNY"
industry = "dairy"
aliases = ["gdp"]

[[metrics.observations]]
period = "2022"
value = 250_000_000_000
exactness = "approximate"
status = "first_published"
source = "cd-mayor-2024"

[[metrics.observations]]
period = "2023"
value = 256_000_000_000
exactness = "lower_bound"
source = ["cd-mayor-2024"]
note = "Exceeded."
converted = { value = 36_500_000_000, unit = "USD", note = "The source's own conversion." }

[[metrics.observations]]
as_of = "2024-05-28"
value = 1.5
source = "cd-mayor-2024"

[[facts]]
id = "plans.airport"
kind = "plan"
label = "New airport"
text = "A new airport is planned."
items = [{ name = "Terminal", name_zh = "航站楼" }]
source = "cd-mayor-2024"

[[companies]]
id = "yili"
name = "Yili"
name_zh = "伊利"
industry = "dairy"
source = "cd-mayor-2024"
""".encode()
"""A small valid base that uses every kind of entry and most optional keys."""

# fmt: off
TOKENS: tuple[bytes, ...] = (
    b"[", b"]", b"[[", b"]]", b"{", b"}", b"=", b",", b".", b'"', b"'", b'"""', b"'''", b"\\", b"\\u",
    b"\\U0011FFFF", b"\\ud800", b"\n", b"\r\n", b"\r", b"\t", b"#", b" ", b"\x00", b"\x7f", b"\xff", b"\xc3",
    b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\xc2\x85", b"\xe2\x80\xae", b"nan", b"inf", b"-inf", b"+nan", b"1e999",
    b"-1e999", b"1e-999", b"0x7fffffffffffffff", b"0o777", b"0b101", b"9" * 40, b"1" * 5000, b"true",
    b"1979-05-27T07:32:00Z", b"1979-05-27", b"07:32:00", b"[" * 3000, b"{a=" * 1000, b"a." * 3000,
    b"[[metrics]]", b"[[metrics.observations]]", b"[[sources]]", b"[[industries]]", b"[[facts]]",
    b"[[companies]]", b"[city]", b"[metrics]", b'id = "gdp.total"', b'id = "cd-mayor-2024"', b'id = "dairy"',
    b"value = 1", b'source = "nope"', b"source = []", b'period = "2023-Q5"', b'unit = "furlong"',
    b'exactness = "roughly"', b'status = "guess"', b"converted = {}", b"items = [1]", b"aliases = [\"gdp\"]",
)
"""Fragments that mean something to a TOML parser or to the fact-file schema."""

VALUES: tuple[bytes, ...] = (
    b'""', b'" "', b'"x"', b"0", b"-1", b"1_000", b"1e18", b"-1e18", b"1000000000000000001", b"1.5", b"-0.0",
    b"5e-324", b"1.7976931348623157e308", b"nan", b"-nan", b"inf", b"true", b"[]", b"{}", b"[1, 2]", b'["a", "b"]',
    b"[[1], [2]]", b"[{}]", b"2024-01-01", b"1979-05-27T07:32:00", b"1979-05-27T07:32:00+08:00", b"07:32:00",
    b'{ value = 1, unit = "USD" }', b'{ value = nan, unit = "USD" }', b'"2023"', b'"2023-H1"', b'"2023-Q4"',
    b'"2023-13"', b'"2023-02-29"', b'"2024-02-29"', b'"2023/2020"', b'"2020/2023"', b'"2020-Q1/2020-H2"',
    b'"0999"', b'"1000"', b'"9999-12-31"', b'"cd-mayor-2024"', b'["cd-mayor-2024", "cd-mayor-2024"]',
    b'"dairy"', b'"gdp.total"', b'"Gdp.Total"', b'"CNY"', b'"percent"', b'"rank"', b'"lower_bound"',
    b'"target"', b'"outdated"', b'"emerging"', b'"event"', b'"\\u001b[31m"', b'"\\u202e"', b'"[bold]x[/]"',
    b"'literal \\ string'", b'"""multi\nline"""',
)
# fmt: on
"""Values of every TOML type, and strings the schema finds interesting."""


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def mutate(data: bytes, rng: random.Random, others: Sequence[bytes] = (), rounds: int | None = None) -> bytes:
    """Apply ``rounds`` (default 1 to 4) random mutations to ``data``; ``others`` are files to splice in."""
    for _ in range(rounds if rounds is not None else rng.randint(1, 4)):
        data = _mutate_once(data, rng, others)
    return data


def _mutate_once(data: bytes, rng: random.Random, others: Sequence[bytes]) -> bytes:
    size = len(data)
    position = rng.randint(0, size)
    operation = rng.randrange(11)
    if operation == 0 and size:  # replace one byte
        index = rng.randrange(size)
        return data[:index] + bytes([rng.randrange(256)]) + data[index + 1 :]
    if operation == 1:  # insert a token
        return data[:position] + rng.choice(TOKENS) + data[position:]
    if operation == 2 and size:  # delete a short range
        end = min(size, position + rng.randint(1, 16))
        return data[:position] + data[end:]
    if operation == 3 and size:  # copy a range elsewhere
        start = rng.randrange(size)
        chunk = data[start : start + rng.randint(1, 200)]
        return data[:position] + chunk + data[position:]
    lines = _lines(data)
    if operation == 4:  # delete a line
        del lines[rng.randrange(len(lines))]
        return b"\n".join(lines)
    if operation == 5:  # duplicate a line (a duplicate key, a duplicate table header, a duplicate id)
        index = rng.randrange(len(lines))
        lines.insert(rng.randrange(len(lines) + 1), lines[index])
        return b"\n".join(lines)
    if operation == 6:  # swap two lines
        a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[a], lines[b] = lines[b], lines[a]
        return b"\n".join(lines)
    if operation == 7:  # replace the value of a key = value line
        candidates = [i for i, line in enumerate(lines) if b" = " in line]
        if candidates:
            index = rng.choice(candidates)
            key = lines[index].split(b" = ", 1)[0]
            lines[index] = key + b" = " + rng.choice(VALUES)
            return b"\n".join(lines)
    if operation == 8:  # rename a key
        candidates = [i for i, line in enumerate(lines) if b" = " in line]
        if candidates:
            index = rng.choice(candidates)
            key, value = lines[index].split(b" = ", 1)
            donor = lines[rng.choice(candidates)].split(b" = ", 1)[0]
            lines[index] = rng.choice([donor, key + b"s", key[:-1], key.upper(), b'"' + key + b'"']) + b" = " + value
            return b"\n".join(lines)
    if operation == 9:  # truncate
        return data[:position]
    if operation == 10 and others:  # splice: the start of this file and the end of another
        other = rng.choice(others)
        return data[:position] + other[rng.randint(0, len(other)) :]
    return data + rng.choice(TOKENS)


def check(data: bytes, path: Path) -> BaseException | None:
    """Load ``data`` from ``path``; return the unexpected exception, None when it loaded or was rejected."""
    path.write_bytes(data)
    try:
        load_facts(path)
    except FactFileError:
        return None
    except Exception as error:  # anything else is the bug this target looks for
        return error
    return None


@dataclass
class Outcome:
    """What a fuzzing run did."""

    iterations: int = 0
    accepted: int = 0
    rejected: int = 0
    failures: list[tuple[bytes, BaseException]] = field(default_factory=list)


def seed_files(paths: Sequence[str] = ()) -> list[bytes]:
    """The valid files mutations start from."""
    if paths:
        return [Path(p).read_bytes() for p in paths]
    return [bundled_facts_path().read_bytes(), MINIMAL]


def fuzz(
    seconds: float,
    seed: int = 1,
    seeds: Sequence[bytes] | None = None,
    iterations: int | None = None,
    max_failures: int = 1,
) -> Outcome:
    """Mutate and load until the time (or the iteration budget) is up or ``max_failures`` bugs are found."""
    rng = random.Random(seed)
    corpus = list(seeds) if seeds is not None else seed_files()
    outcome = Outcome()
    deadline = time.monotonic() + seconds
    signatures: set[tuple[str, str]] = set()
    with tempfile.TemporaryDirectory(prefix="hohhot-fuzz-") as directory:
        path = Path(directory) / "facts.toml"
        while time.monotonic() < deadline and (iterations is None or outcome.iterations < iterations):
            data = mutate(rng.choice(corpus), rng, corpus)
            outcome.iterations += 1
            path.write_bytes(data)
            try:
                load_facts(path)
            except FactFileError:
                outcome.rejected += 1
                continue
            except Exception as error:
                frame = traceback.extract_tb(error.__traceback__)[-1]
                signature = (type(error).__name__, f"{frame.filename}:{frame.lineno}")
                if signature not in signatures:
                    signatures.add(signature)
                    outcome.failures.append((data, error))
                    if len(outcome.failures) >= max_failures:
                        break
                continue
            outcome.accepted += 1
    return outcome


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to run (default 10)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock)")
    parser.add_argument("--iterations", type=int, default=None, help="stop after this many inputs")
    parser.add_argument("--input", action="append", default=[], help="a valid fact file to mutate (repeatable)")
    parser.add_argument("--crashes", default="fuzz-crashes", help="where failing inputs are saved")
    parser.add_argument("--max-failures", type=int, default=1, help="stop after this many distinct bugs")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else int(time.time())
    print(f"fuzz_loader: seed {seed}, {args.seconds:g} s", file=sys.stderr)
    try:
        outcome = fuzz(args.seconds, seed, seed_files(args.input), args.iterations, args.max_failures)
    except KeyboardInterrupt:
        print("fuzz_loader: interrupted", file=sys.stderr)
        return 130
    print(
        f"fuzz_loader: {outcome.iterations} inputs, {outcome.accepted} loaded, {outcome.rejected} rejected "
        f"with FactFileError, {len(outcome.failures)} failures",
        file=sys.stderr,
    )
    if not outcome.failures:
        return 0
    crashes = Path(args.crashes)
    crashes.mkdir(parents=True, exist_ok=True)
    for data, error in outcome.failures:
        name = crashes / f"crash-{hashlib.sha1(data).hexdigest()[:12]}.toml"
        name.write_bytes(data)
        print(f"\nfuzz_loader: {type(error).__name__} from load_facts; input saved to {name}", file=sys.stderr)
        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
