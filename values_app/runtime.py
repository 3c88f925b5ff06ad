"""What must happen before jsii starts (the first import of cdk8s or constructs starts its Node.js
process), and how a jsii failure reads. Imports nothing of jsii.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["from_jsii", "use_local_node", "use_usable_jsii_cache"]


def use_local_node(root: Path) -> None:
    """Run jsii on the project's Node.js 22 (``root``/node_modules, from package.json) unless
    JSII_NODE says otherwise.

    Must run before the first import of cdk8s or constructs: that import starts the node process.
    """
    local = root / "node_modules" / ".bin" / "node"
    if not os.environ.get("JSII_NODE") and local.exists():
        os.environ["JSII_NODE"] = str(local)


def _private_directory(path: Path) -> bool:
    """Whether ``path`` is a directory only this user can write, creating it if need be."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & 0o022
        and os.access(path, os.W_OK | os.X_OK)
    )


def use_usable_jsii_cache() -> None:
    """Give jsii a package cache it can use.

    jsii keeps its packages in ``~/.cache/aws/jsii/package-cache`` and fails (``Cannot use the jsii
    package cache ...: EACCES``) when the home directory is not writable, as in a CI container that
    runs as another user. Then point it (JSII_RUNTIME_PACKAGE_CACHE_ROOT) at a private directory
    of this user's in the temporary directory instead. Must run before jsii starts.
    """
    if os.environ.get("JSII_RUNTIME_PACKAGE_CACHE", "enabled").lower() != "enabled":
        return
    if os.environ.get("JSII_RUNTIME_PACKAGE_CACHE_ROOT"):
        return
    default = Path.home() / ".cache" / "aws" / "jsii" / "package-cache"
    if _private_directory(default):
        return
    import tempfile  # here: usually the default cache is fine

    fallback = Path(tempfile.gettempdir()) / f"todo-chatbot-cdk8s-jsii-cache-{os.getuid()}"
    if _private_directory(fallback):
        os.environ["JSII_RUNTIME_PACKAGE_CACHE_ROOT"] = str(fallback)
    else:
        os.environ["JSII_RUNTIME_PACKAGE_CACHE"] = "disabled"


def from_jsii(error: BaseException) -> bool:
    """Whether ``error`` was raised by jsii (its own error, or one raised inside its code)."""
    if type(error).__module__.split(".")[0] == "jsii":
        return True
    trace = error.__traceback__
    while trace is not None:
        if f"{os.sep}jsii{os.sep}" in trace.tb_frame.f_code.co_filename:
            return True
        trace = trace.tb_next
    return False
