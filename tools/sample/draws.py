"""Small helpers that draw from the generator's single random stream.

Every function here takes the stream as `rng` and consumes it; callers must keep
calling them in the same order, or every later value in the sample changes.
"""

from .vocabulary import ALNUM


def rand_path(rng, ext=".jpg"):
    return "/" + "".join(rng.choice(ALNUM) for _ in range(27)) + ext


def credit_id(rng):
    return "%024x" % rng.getrandbits(96)


def weighted_sample(rng, items, weights, k):
    """Efraimidis-Spirakis weighted sampling without replacement (deterministic via rng)."""
    keyed = []
    for it, w in zip(items, weights):
        u = rng.random()
        keyed.append((u ** (1.0 / w) if w > 0 else 0.0, it))
    keyed.sort(key=lambda t: -t[0])
    return [it for _, it in keyed[:k]]
