"""TIDs: the format the PDS accepts, strictly increasing, decodable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from livepost.outbox.tid import TidClock, decode, encode, is_tid, mint_tid, tid_time


def test_known_value() -> None:
    # Expected values printed by @atproto/common-web's TID.fromTime(micros, clockId) under Node.
    micros = 1672531200 * 1_000_000  # 2023-01-01T00:00:00Z
    tid = encode(micros << 10)
    assert tid == "3jl7442uk2222"
    assert encode(((micros + 123456) << 10) | 513) == "3jl7442ycm2k3"
    assert decode(tid) == micros << 10
    assert tid_time(tid) == datetime(2023, 1, 1, tzinfo=UTC)


def test_minted_tids_are_valid_unique_and_sorted() -> None:
    clock = TidClock(clock_id=7)
    tids = [clock.mint() for _ in range(5000)]
    assert all(is_tid(t) and len(t) == 13 for t in tids)
    assert tids == sorted(tids)
    assert len(set(tids)) == len(tids)
    assert decode(tids[0]) & 1023 == 7
    assert abs(tid_time(mint_tid()) - datetime.now(UTC)) < timedelta(seconds=5)


def test_rejects_what_the_pds_rejects() -> None:
    assert not is_tid("kzzzzzzzzzzzz")  # top bit set
    assert not is_tid("3jl7442uk222")  # 12 characters
    assert not is_tid("3jl7442uk2221")  # '1' is not in the alphabet
