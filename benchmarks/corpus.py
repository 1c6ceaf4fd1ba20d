"""Synthetic but realistic Dutch and English posts for benchmarks, from wordfreq, fixed seed."""

from __future__ import annotations

import random

SIGNS = [
    "Sieg Heil", "s1eg h.e.i.l", "1488", "14/88", "omvolking", "#ZwarteZon", "baqiya",
    "H E I L", "heeeeil", "dawla", "🏴", "remigratie", "WPWW", "ZOG",
]  # fmt: skip


def words(lang: str, n: int = 20000) -> list[str]:
    from wordfreq import top_n_list

    return top_n_list(lang, n)


def make_posts(total_bytes: int, seed: int = 1, sign_rate: float = 0.02) -> list[str]:
    """Posts of 20-280 characters, half Dutch, half English, until `total_bytes` of UTF-8."""
    rng = random.Random(seed)
    vocab = {lang: words(lang) for lang in ("nl", "en")}
    # Zipf-like choice: earlier (more frequent) words are chosen more often.
    weights = [1.0 / (i + 10) for i in range(len(vocab["nl"]))]
    posts, size = [], 0
    while size < total_bytes:
        lang = "nl" if rng.random() < 0.5 else "en"
        target = min(280, max(20, int(rng.lognormvariate(4.5, 0.6))))
        chosen = rng.choices(vocab[lang], weights=weights[: len(vocab[lang])], k=target // 4)
        if rng.random() < sign_rate:
            chosen.insert(rng.randrange(len(chosen) + 1), rng.choice(SIGNS))
        post = " ".join(chosen)[:280]
        if rng.random() < 0.3:
            post = post.capitalize() + rng.choice([".", "!", "?", " 😂", " #nieuws", ""])
        posts.append(post)
        size += len(post.encode("utf-8")) + 1
    return posts
