"""Serialising records to CSV bytes, writing the outputs, and re-reading them to check.

csv.writer with QUOTE_MINIMAL, like the real files.  Line endings also follow the
real files: movies_metadata.csv and keywords.csv LF, credits.csv CRLF (like the real
partial credits file), links.csv and ratings_small.csv CRLF.
"""

import csv
import hashlib
import io
import json
import os

from .records import (CREDITS_HEADER, KEYWORDS_HEADER, LINKS_HEADER, MOVIE_HEADER,
                      RATINGS_HEADER)

LINE_ENDINGS = {
    "movies_metadata.csv": "\n",
    "credits.csv": "\r\n",
    "keywords.csv": "\n",
    "links.csv": "\r\n",
    "ratings_small.csv": "\r\n",
}


def serialise_all(sample):
    return [
        serialise("movies_metadata.csv", MOVIE_HEADER, sample.movie_records),
        serialise("credits.csv", CREDITS_HEADER, sample.credit_records),
        serialise("keywords.csv", KEYWORDS_HEADER, sample.keyword_records),
        serialise("links.csv", LINKS_HEADER, sample.link_records),
        serialise("ratings_small.csv", RATINGS_HEADER, sample.rating_records),
    ]


def serialise(name, header, recs):
    """The file's bytes; also notes on each record the physical line(s) it starts on."""
    lt = LINE_ENDINGS[name]
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator=lt)
    w.writerow(header)
    line = 2
    n_records = 0
    for r in recs:
        r["lines"] = []
        for row in r["rows"]:
            r["lines"].append(line)
            # model-based physical line count: 1 + embedded '\n' in cells
            nl = 1 + sum(c.count("\n") for c in row)
            # cross-check against this row's own serialisation
            one = io.StringIO(newline="")
            csv.writer(one, lineterminator=lt).writerow(row)
            assert one.getvalue().count("\n") == nl, (name, row[:3])
            w.writerow(row)
            line += nl
            n_records += 1
        r["line"] = r["lines"][0]
    data = buf.getvalue().encode("utf-8")
    return dict(name=name, data=data, records=n_records, physical_lines=line - 1,
                bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
                line_ending="CRLF" if lt == "\r\n" else "LF")


def write_outputs(out_dir, files, facts, expected_md):
    os.makedirs(out_dir, exist_ok=True)
    for f in files:
        with open(os.path.join(out_dir, f["name"]), "wb") as fh:
            fh.write(f["data"])
    with open(os.path.join(out_dir, "expected.json"), "w", encoding="utf-8",
              newline="\n") as fh:
        json.dump(facts, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    with open(os.path.join(out_dir, "EXPECTED.md"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(expected_md)


def self_check(out_dir, facts):
    """Re-read the written files (only to verify, never used for the facts)."""
    expect_fields = {"movies_metadata.csv": 24, "credits.csv": 3, "keywords.csv": 2,
                     "links.csv": 3, "ratings_small.csv": 4}
    broken = next(q for q in facts["quirks"] if q["key"] == "broken_record")["items"][0]
    for name, nf in expect_fields.items():
        with open(os.path.join(out_dir, name), newline="", encoding="utf-8") as fh:
            rd = csv.reader(fh)
            n = 0
            header = next(rd)
            assert len(header) == nf
            for row in rd:
                n += 1
                start = rd.line_num - sum(c.count("\n") for c in row)
                if name == "movies_metadata.csv" and start == broken["line"]:
                    assert len(row) == 10, len(row)
                elif name == "movies_metadata.csv" and start == broken["second_line"]:
                    assert len(row) == 15, len(row)
                    assert row[5] == broken["naive_id_column_value"]
                else:
                    assert len(row) == nf, (name, start, len(row))
            assert n == facts["files"][name]["records"], (name, n)


def print_summary(files, kept_movies):
    for f in files:
        print("%-22s %6d records %8d bytes %s" % (f["name"], f["records"], f["bytes"],
                                                   f["sha256"][:16]))
    print("kept movies:", len(kept_movies))
