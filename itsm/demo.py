"""Demo loaders of the apps above the core. ``seed_demo`` loads the core's
demo desk, then runs each registered management command by name, so the
core imports none of those apps; each registers its loader from its
AppConfig.ready(), as kinds and dashboard charts register."""

_LOADERS: list[str] = []


def register_demo_loader(command: str) -> None:
    """``command`` (a management command's name) runs after the core's demo;
    it must be idempotent, as ``seed_demo`` is, and take ``--force`` (run
    with DEBUG off: ``seed_demo --force`` said so)."""
    if command not in _LOADERS:
        _LOADERS.append(command)


def demo_loaders() -> list[str]:
    return list(_LOADERS)
