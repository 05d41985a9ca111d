"""The trivial functions every framework runs: the same code, so only overhead differs."""


def start() -> int:
    return 0


def inc(x: int) -> int:
    return x + 1


def items(n: int) -> list[int]:
    return list(range(n))


def double(item: int) -> int:
    return item * 2
