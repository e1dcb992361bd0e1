#!/usr/bin/env python3
"""A synthetic corpus for eventmap's performance and memory measurements (docs/performance.md).

Writes DAYS x PER_DAY dated articles made from the example series
(examples/2021-offensive): each is one of the 41 examples, re-dated, with its provincial
capitals (and their provinces) swapped for others by a fixed permutation, so events
spread over the country and over time. Everything is a function of the arguments: the
same command gives the same bytes. The corpus is not committed; generate it into /tmp.

    scripts/synthetic_corpus.py /tmp/year                       # 365 days x 100 articles
    scripts/synthetic_corpus.py /tmp/month --days 30
    scripts/synthetic_corpus.py /tmp/big --jsonl --padding 8000 --days 365 --per-day 120

--jsonl writes one JSON Lines file a day instead of one text file an article;
--padding adds about that many bytes of place-free filler to every article (more input,
the same events), to tell memory that follows the input from memory that follows events.
--one-more DATE writes a single extra article dated DATE to stdout instead of a corpus.
"""

import argparse
import datetime
import json
import pathlib
import random
import re
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "2021-offensive"

# Provincial capitals the examples name, with their province, and others to swap in.
CAPITALS = [
    ("Lashkar Gah", "Helmand"), ("Herat", "Herat"), ("Kandahar", "Kandahar"), ("Zaranj", "Nimruz"),
    ("Sheberghan", "Jowzjan"), ("Kunduz", "Kunduz"), ("Sar-e Pul", "Sar-e Pul"), ("Taloqan", "Takhar"),
    ("Aybak", "Samangan"), ("Farah", "Farah"), ("Pul-e Khumri", "Baghlan"), ("Faizabad", "Badakhshan"),
    ("Ghazni", "Ghazni"), ("Mazar-i-Sharif", "Balkh"), ("Maimana", "Faryab"), ("Asadabad", "Kunar"),
    ("Maidan Shahr", "Wardak"), ("Jalalabad", "Nangarhar"), ("Khost", "Khost"), ("Tarinkot", "Uruzgan"),
    ("Qalat", "Zabul"), ("Pul-e Alam", "Logar"), ("Chaghcharan", "Ghor"), ("Qala-i-Naw", "Badghis"),
    ("Gardez", "Paktia"), ("Sharana", "Paktika"), ("Mehtar Lam", "Laghman"), ("Bamyan", "Bamyan"),
    ("Nili", "Daykundi"), ("Charikar", "Parwan"), ("Mahmud-i-Raqi", "Kapisa"),
]
# Kabul and Panjshir stay: the examples give them roles (the capital, the resistance).

FILLER = [
    "Officials said more details would be released once the situation became clearer.",
    "The statement did not say how many people had been affected or when the work would resume.",
    "A spokesman declined to comment on the reports when contacted by telephone on the evening of the same day.",
    "Residents said prices for flour, cooking oil and fuel had risen sharply over the past week.",
    "Aid workers said they were still trying to reach the people who needed help the most.",
    "Schools and clinics remained closed, and many shops kept their shutters down for most of the day.",
]

SOLAR_DATE = re.compile(r"\s*\(\d{1,2} [A-Z][a-z]+ 1400\)")


def templates():
    out = []
    for path in sorted(EXAMPLES.glob("*.txt")):
        first, _, body = path.read_text(encoding="utf-8").partition("\n")
        title = first.split(" ", 2)[2] if first.count(" ") >= 2 else ""
        out.append((title, SOLAR_DATE.sub("", body)))
    return out


def swapper(rng):
    """A function replacing every capital and province with its image under a random permutation."""
    shuffled = CAPITALS[:]
    rng.shuffle(shuffled)
    mapping = {}
    for (city, province), (city2, province2) in zip(CAPITALS, shuffled):
        mapping[city] = city2
        if province != city:
            mapping[province] = province2
    mapping["Lashkargah"] = mapping["Lashkar Gah"]
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)) + r")\b")
    return lambda text: pattern.sub(lambda m: mapping[m.group(1)], text)


def padding(rng, size):
    words, text = 0, []
    while words < size:
        sentence = rng.choice(FILLER)
        text.append(sentence)
        words += len(sentence) + 1
    return "\n\n" + " ".join(text) + "\n"


def article(examples, day, n, pad):
    """Article `n` of `day`: title, body."""
    rng = random.Random(day.toordinal() * 1000 + n)
    title, body = examples[(day.toordinal() * 7 + n) % len(examples)]
    swap = swapper(rng)
    body = swap(body)
    if pad:
        body += padding(rng, pad)
    return swap(title), body


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", nargs="?", type=pathlib.Path)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=100)
    parser.add_argument("--start", default="2021-01-01")
    parser.add_argument("--jsonl", action="store_true", help="one JSON Lines file a day")
    parser.add_argument("--padding", type=int, default=0, help="bytes of filler added to each article")
    parser.add_argument("--one-more", metavar="DATE", help="print one more article dated DATE and stop")
    args = parser.parse_args()
    examples = templates()

    if args.one_more:
        day = datetime.date.fromisoformat(args.one_more)
        title, body = article(examples, day, 10_000, 0)
        sys.stdout.write(f"date {day.isoformat()} {title}\n{body}")
        return
    if args.out is None:
        parser.error("give the output folder")
    start = datetime.date.fromisoformat(args.start)
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for d in range(args.days):
        day = start + datetime.timedelta(days=d)
        folder = args.out / day.strftime("%Y-%m")
        folder.mkdir(exist_ok=True)
        if args.jsonl:
            with open(folder / f"{day.isoformat()}.jsonl", "w", encoding="utf-8") as f:
                for n in range(args.per_day):
                    title, body = article(examples, day, n, args.padding)
                    record = {"id": f"{day.isoformat()}-{n:03}", "date": day.isoformat(), "title": title, "text": body}
                    line = json.dumps(record, ensure_ascii=False) + "\n"
                    f.write(line)
                    total += len(line.encode())
        else:
            for n in range(args.per_day):
                title, body = article(examples, day, n, args.padding)
                text = f"date {day.isoformat()} {title}\n{body}"
                (folder / f"{day.isoformat()}-{n:03}.txt").write_text(text, encoding="utf-8")
                total += len(text.encode())
    print(f"{args.days * args.per_day} articles, {total / 1e6:.1f} MB in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
