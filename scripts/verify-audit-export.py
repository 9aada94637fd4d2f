#!/usr/bin/env python3
"""Verify a Haven audit export on its own: no Haven code, no database, no keys (format: docs/audit-export.md).

Usage: verify-audit-export.py FILE [--anchor SEQ:HASH ...]
Exit status: 0 intact, 1 broken (the first entry altered, removed or inserted is named), 2 unreadable.
Python 3.8+, standard library only.
"""
import hashlib
import json
import sys


def verify(path, anchors):
    with open(path, "rb") as export:
        header = json.loads(export.readline())
        if header.get("format") != "haven-audit-export" or header.get("version") != 1:
            raise ValueError("not a version 1 haven-audit-export file")
        first, last = header["from_seq"], header["to_seq"]
        expected, running, before = first, header["prev_hash"], None
        for raw in export:
            line = raw[:-1] if raw.endswith(b"\n") else raw
            if not line:
                continue
            entry = json.loads(line)
            seq, prev = entry["seq"], entry["prev_hash"]
            digest = hashlib.sha256(line).hexdigest()  # the line's exact bytes are the canonical form
            if seq != expected:
                return expected, "removed" if seq > expected else "inserted"
            if prev != running:
                if seq == first:
                    return seq, "altered"
                if prev == before:
                    return seq - 1, "inserted"
                return seq - 1, "altered"
            if anchors.get(seq, digest) != digest:
                return seq, "altered"
            before, running, expected = running, digest, expected + 1
        if expected <= last:
            return expected, "removed"
        if header["last_hash"] is not None and expected > first and running != header["last_hash"]:
            return last, "altered"
        print(f"Intact: entries {first} to {last} ({expected - first} checked).")
        print(f"Last hash: {running if expected > first else '(no entries)'}")
        return None


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    anchors = {}
    args = argv[2:]
    while args:
        if args[0] != "--anchor" or len(args) < 2:
            print(__doc__, file=sys.stderr)
            return 2
        seq, digest = args[1].split(":", 1)
        anchors[int(seq)] = digest.lower()
        args = args[2:]
    try:
        broken = verify(argv[1], anchors)
    except (OSError, ValueError, KeyError) as error:
        print(f"Not a readable audit export: {error}", file=sys.stderr)
        return 2
    if broken is None:
        return 0
    print(f"BROKEN at entry {broken[0]} ({broken[1]})")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
