"""The cable segment writer's on-disk choices, read back through Whoosh's own readers."""

from __future__ import annotations

import io
import pickle
import struct
import zlib

from indexer import open_index
from indexer.build import build_index
from indexer.schema import CablePositions
from indexer.segments import PICKLE_PROTOCOL

from .synthetic import generated

PROTOCOL_HEADER = bytes([0x80, PICKLE_PROTOCOL])


def _terms_with(reader, fieldname, pred):
    return [t for t in reader.lexicon(fieldname) if pred(reader.doc_frequency(fieldname, t))]


def test_posting_blocks_and_inlined_postings_are_pickled_with_the_new_protocol(tmp_path):
    build_index(tmp_path / "ix", generated(40, words=300), workers=0)
    with open_index(tmp_path / "ix").searcher() as s:
        ((leaf, _base),) = s.reader().leaf_readers()
        terms = leaf._terms  # noqa: SLF001 -- the segment's W3 term table
        common = _terms_with(leaf, "body", lambda df: df >= 20)
        refids = list(leaf.lexicon("refid"))  # one posting each: inlined
        assert common and refids

        # A blocked term: magic, block length, the info tuple, then the deflated data.
        info = terms.term_info("body", common[0])
        assert not info.is_inlined()
        offset, _length = info.extent()
        raw = terms._postfile.get(offset, 4 + 4)  # noqa: SLF001
        assert raw[:4] == b"W3Bl"
        (blocklength,) = struct.unpack("!i", raw[4:])
        block = io.BytesIO(terms._postfile.get(offset + 8, abs(blocklength)))  # noqa: SLF001
        _count, _last, _maxweight, compression, *_ = pickle.load(block)
        data = block.read()
        if compression:
            data = zlib.decompress(data)
        assert data.startswith(PROTOCOL_HEADER)

        # An inlined term: its postings follow the fixed-size head in the term table.
        assert terms.term_info("refid", refids[0]).is_inlined()
        key = terms._keycoder("refid", refids[0])  # noqa: SLF001
        valbytes = terms._tindex[key]  # noqa: SLF001
        head = type(info)._struct.size  # noqa: SLF001
        assert valbytes[head:].startswith(PROTOCOL_HEADER)

        # And Whoosh's own matchers read both back: positions decode, weights are counts.
        fmt = s.schema["body"].format
        assert isinstance(fmt, CablePositions)
        m = leaf.postings("body", common[0])
        seen = 0
        while m.is_active():
            positions = fmt.decode_positions(m.value())
            assert positions == sorted(positions) and len(positions) == m.weight() > 0
            seen += 1
            m.next()
        assert seen == leaf.doc_frequency("body", common[0])
        for refid in refids:
            (docnum,) = list(leaf.postings("refid", refid).all_ids())
            assert s.stored_fields(docnum)["refid"] == refid.decode()
