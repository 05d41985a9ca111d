def helper() -> int:
    return 1
