"""Hypothesis: parse_text and read_cables never raise anything but the documented error.

parse_text may raise only ParseError (and, for text, only for ``jsonl`` that is not a
cable); read_cables raises nothing for bad data: everything becomes a diagnostic.
Inputs are arbitrary text and bytes, and real-format samples from corpus/ with bytes
flipped, cut, duplicated and spliced. Kept small so the whole file runs in seconds.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer import ParseError, parse_text, read_cables
from indexer.models import Cable

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SAMPLES = [
    (CORPUS / "000_0878ecbdb2fa6b16.txt").read_bytes()[:6000],
    (CORPUS / "html" / "2009" / "07" / "09UNVIEVIENNA812.html").read_bytes(),
    (CORPUS / "cables.csv").read_bytes()[:5000],
    (CORPUS / "text" / "07MOSCOW3398.txt").read_bytes(),
    (CORPUS / "jsonl" / "cables.jsonl").read_bytes()[:3000],
]
FORMATS = st.sampled_from([None, "html", "csv", "blog", "text", "jsonl"])
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])


@st.composite
def mutated(draw) -> bytes:
    """A real-format sample with a few random edits."""
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(0, 6))):
        if not data:
            break
        op = draw(st.sampled_from(["flip", "cut", "dup", "insert", "truncate"]))
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[i : i + draw(st.integers(1, 200))]
        elif op == "dup":
            data[i:i] = data[i : i + draw(st.integers(1, 300))]
        elif op == "insert":
            data[i:i] = draw(st.binary(max_size=40))
        else:
            del data[i:]
    return bytes(data)


def _parse(text: str, fmt: str | None) -> None:
    try:
        cable = parse_text(text, format=fmt)
    except ParseError:
        return
    assert isinstance(cable, Cable)
    Cable.from_dict(cable.to_dict())  # every result is exportable


@FAST
@given(text=st.text(max_size=3000), fmt=FORMATS)
def test_parse_text_on_arbitrary_text(text, fmt):
    _parse(text, fmt)


@FAST
@given(data=mutated(), fmt=FORMATS)
def test_parse_text_on_mutated_samples(data, fmt):
    _parse(data.decode("utf-8", errors="replace"), fmt)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(mutated(), st.binary(max_size=2000)),
       name=st.sampled_from(["x.html", "x.csv", "x.jsonl", "x.txt", "09ROME1.txt", "noext"]),
       fmt=st.sampled_from([None, "html", "csv", "text", "jsonl", "blog"]))
def test_read_cables_never_raises_on_bad_files(tmp_path_factory, data, name, fmt):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / name).write_bytes(data)
    errors: list[ParseError] = []
    cables = list(read_cables(folder, format=fmt, errors=errors))
    assert all(isinstance(c, Cable) for c in cables)
    assert all(isinstance(e, ParseError) and e.path for e in errors)
