#!/usr/bin/env python3
"""A corpus of ../shared/peers/make_corpus.py as eventmap JSON Lines.

    python3 scripts/peer_corpus_to_jsonl.py corpus_5mb.txt corpus_5mb.jsonl

make_corpus.py writes one document a line, `date YYYY-MM-DD` then the text. Each
becomes one article: `id` is the line's index among the non-empty lines (the
`doc_index` of the peers' rows and of their scorer), `date` the leading date,
`text` the rest of the line, so eventmap reads the same words the peers read.
"""
import json
import re
import sys


def main(src: str, dst: str) -> None:
    with open(src, encoding="utf-8") as fh:
        docs = [line.rstrip("\n") for line in fh if line.strip()]
    with open(dst, "w", encoding="utf-8") as out:
        for i, line in enumerate(docs):
            m = re.match(r"date (\d{4}-\d{2}-\d{2}) (.*)$", line)
            date, text = (m.group(1), m.group(2)) if m else (None, line)
            record = {"id": str(i), "date": date, "title": "", "text": text}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
