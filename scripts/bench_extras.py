"""The benchmark suite's targets beyond page load: filled in below."""


def extras(**_context) -> list:
    return []
