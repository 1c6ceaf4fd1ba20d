"""Hash lists in the forms ThreatExchange, HMA and TCAP exchange them."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matchers.hashlists import (
    HashListError,
    HashRecord,
    hma_file_name,
    read_hash_list,
    write_hash_list,
)

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def test_threatexchange_dataset_csv_either_column_order():
    for header in (
        "collab,signal_type,signal_str,category,tags",
        "signal_type,signal_str,collab,category,tags",
    ):
        cols = header.split(",")
        values = {
            "collab": "Sample Collab",
            "signal_type": "pdq",
            "signal_str": PDQ.upper(),
            "category": "POSITIVE_CLASS",
            "tags": "terrorism media",
        }
        text = header + "\n" + ",".join(values[c] for c in cols) + "\n"
        text += ",".join({**values, "signal_type": "url", "signal_str": "x"}[c] for c in cols)
        got = read_hash_list(io.StringIO(text))
        assert got.records == [
            HashRecord("pdq", PDQ, None, ("Sample Collab", "terrorism", "media"))
        ]
        assert got.skipped == 1


def test_hma_simple_file(tmp_path):
    path = tmp_path / "simple.HASH_PDQ.te"
    path.write_text(f"{PDQ},12345,6789,2021-01-01,tag1 tag2\n")
    got = read_hash_list(path)
    assert got.records == [HashRecord("pdq", PDQ, "12345", ("tag1", "tag2"))]
    assert hma_file_name("pdq") == "simple.HASH_PDQ.te"


def test_hma_rows_need_a_signal_type(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(f"{PDQ},1,0,,\n")
    with pytest.raises(HashListError, match=r"export\.csv:1: no signal type"):
        read_hash_list(path)
    assert read_hash_list(path, signal_type="HASH_PDQ").records[0].algorithm == "pdq"


def test_tcap_csv_drops_deleted_and_keeps_ideology():
    text = (
        "id,hash_digest,algorithm,ideology,file_type,deleted\n"
        f"1,{PDQ},PDQ,far-right,png,false\n"
        f"2,{MD5},MD5,islamist,mp4,false\n"
        f"3,{PDQ},PDQ,islamist,jpg,true\n"
        "4,abcd,SHA256,islamist,jpg,false\n"
    )
    got = read_hash_list(io.StringIO(text))
    assert got.records == [
        HashRecord("pdq", PDQ, "1", ("far-right",)),
        HashRecord("md5", MD5, "2", ("islamist",)),
    ]
    assert got.skipped == 1


def test_lines_file_as_local_file_api_reads_it():
    text = f"pdq {PDQ}\nvideo_md5 {MD5}\n\n# comment\n"
    got = read_hash_list(io.StringIO(text), format="lines")
    assert [(r.algorithm, r.value) for r in got.records] == [("pdq", PDQ), ("md5", MD5)]
    bare = read_hash_list(io.StringIO(PDQ + "\n"), format="lines", signal_type="pdq")
    assert bare.records[0].value == PDQ


def test_malformed_hash_names_file_and_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("collab,signal_type,signal_str,category,tags\nc,pdq,1234,POSITIVE_CLASS,\n")
    with pytest.raises(HashListError, match=r"bad\.csv:2: pdq hash must be 64 hex digits"):
        read_hash_list(path)
    with pytest.raises(HashListError, match="unknown hash list format"):
        read_hash_list(path, format="xml")


def test_hma_writer_refuses_mixed_types():
    with pytest.raises(HashListError, match="one signal type"):
        write_hash_list(
            [HashRecord("pdq", PDQ), HashRecord("md5", MD5)], io.StringIO(), format="hma"
        )


hex_of = {"pdq": 64, "phash": 16, "dhash": 16, "md5": 32}
word = st.text("abcdefghijklmnopqrstuvwxyz0123456789-:", min_size=1, max_size=10)
records = st.sampled_from(sorted(hex_of)).flatmap(
    lambda alg: st.builds(
        HashRecord,
        st.just(alg),
        st.binary(min_size=hex_of[alg] // 2, max_size=hex_of[alg] // 2).map(bytes.hex),
        st.one_of(st.none(), word),
        st.lists(word, max_size=3).map(tuple),
    )
)


@given(st.lists(records, max_size=8))
def test_tcap_round_trip(recs):
    buf = io.StringIO()
    write_hash_list(recs, buf, format="tcap")
    buf.seek(0)
    back = read_hash_list(buf)
    assert [(r.algorithm, r.value, r.id, r.labels) for r in back.records] == [
        (r.algorithm, r.value, r.id, r.labels) for r in recs
    ]
