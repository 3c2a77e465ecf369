#!/usr/bin/env python3
"""Deterministic generator for a small synthetic sample of Kaggle's "The Movies Dataset".

Run from the repository root:

    python3 tools/make_sample.py

Writes data/sample/{movies_metadata,credits,keywords,links,ratings_small}.csv plus
data/sample/EXPECTED.md and data/sample/expected.json, byte-identical on every run.
The generator itself is the package tools/sample/ (see its __init__.py).
"""

import os

from sample import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

if __name__ == "__main__":
    main(os.path.join(ROOT, "data", "sample"))
