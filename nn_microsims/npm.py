"""The pinned npm packages of the runtime (Pyodide core, p5.js) without Node.js.

package-lock.json pins each one's version and ``integrity`` (an SRI hash, sha512). A package's
tarball comes from the npm registry (``https://registry.npmjs.org/<name>/-/<name>-<version>.tgz``,
or ``$npm_config_registry``), over HTTPS, once: it is kept, verified, in the per-user cache
(``build.default_cache_dir()/npm/``), checked against the lock again on every use (a damaged copy
is fetched again), and only the files the site needs are unpacked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import tarfile
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from nn_microsims._source import build

DEFAULT_REGISTRY = "https://registry.npmjs.org/"
SRI_ALGORITHMS = ("sha512", "sha384", "sha256")


class FetchError(build.BuildError):
    """A package cannot be fetched, or what came is not what the lock pins."""


@dataclass(frozen=True)
class Pin:
    """One package as package-lock.json pins it."""

    name: str
    version: str
    integrity: str  # "sha512-<base64>"

    @property
    def tarball(self) -> str:
        return f"{self.name}-{self.version}.tgz"


def pins(lock_file: Path, names: Iterable[str]) -> list[Pin]:
    """The pins of ``names`` (top-level packages) in the npm lock file ``lock_file``."""
    try:
        packages = json.loads(lock_file.read_text())["packages"]
        return [
            Pin(
                name,
                packages[f"node_modules/{name}"]["version"],
                packages[f"node_modules/{name}"]["integrity"],
            )
            for name in names
        ]
    except (OSError, KeyError, ValueError) as error:
        raise FetchError(f"{lock_file} does not pin {', '.join(names)}: {error!r}") from None


def registry() -> str:
    """The registry's base URL: $npm_config_registry (as npm reads it), else npm's default."""
    for variable in ("npm_config_registry", "NPM_CONFIG_REGISTRY"):
        if os.environ.get(variable):
            return os.environ[variable]
    return DEFAULT_REGISTRY


def tarball_url(pin: Pin, base: str) -> str:
    return f"{base.rstrip('/')}/{pin.name}/-/{pin.tarball}"


def matches(data: bytes, integrity: str) -> bool:
    """Whether ``data`` has the SRI hash ``integrity`` ("sha512-<base64>")."""
    algorithm, _, encoded = integrity.partition("-")
    if algorithm not in SRI_ALGORITHMS:
        raise FetchError(f"unsupported integrity {integrity[:20]}… in package-lock.json")
    try:
        expected = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise FetchError(f"malformed integrity {integrity[:20]}… in package-lock.json") from None
    return hashlib.new(algorithm, data).digest() == expected


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def download(url: str, *, log: Callable[[str], None], timeout: float = 60.0) -> bytes:
    """The body at ``url``; says what it fetches and its size (from Content-Length) first."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            size = megabytes(int(length)) if length and length.isdigit() else "size unknown"
            log(f"  fetching {url} ({size})")
            data: bytes = response.read()
            return data
    except (OSError, ValueError) as error:  # URLError, HTTPError, timeouts are OSErrors
        reason = getattr(error, "reason", None) or error
        raise FetchError(
            f"could not fetch {url} ({reason}): is the npm registry reachable? "
            "(set npm_config_registry to use another)"
        ) from None


def cached_tarball(
    pin: Pin, cache_dir: Path, *, log: Callable[[str], None], base: str | None = None
) -> Path:
    """The package's verified tarball in ``cache_dir/npm/``, fetched when it is not there (or
    no longer matches the lock). A download that does not match is refused and not kept."""
    path = cache_dir / "npm" / pin.tarball
    if path.is_file():
        if matches(path.read_bytes(), pin.integrity):
            return path
        log(f"  {path} does not match package-lock.json's integrity: fetching it again")
        path.unlink()
    url = tarball_url(pin, base or registry())
    data = download(url, log=log)
    if not matches(data, pin.integrity):
        algorithm = pin.integrity.partition("-")[0]
        actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
        raise FetchError(
            f"{url} does not match package-lock.json (expected {pin.integrity[:30]}…, got "
            f"{algorithm}-{actual[:23]}…): refusing it, nothing was kept"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)
    return path


def unpack(tarball: Path, members: Iterable[str], dest: Path) -> Path:
    """Extract ``package/<member>`` of an npm tarball into ``dest/<member>``; returns ``dest``.

    Only the named regular files are read: nothing else of the archive reaches the disk.
    """
    with tarfile.open(tarball, "r:gz") as archive:
        for member in members:
            try:
                info = archive.getmember(f"package/{member}")
            except KeyError:
                raise FetchError(f"{tarball.name} has no {member}") from None
            source = archive.extractfile(info) if info.isfile() else None
            if source is None:
                raise FetchError(f"{tarball.name}: {member} is not a regular file")
            target = dest / member
            target.parent.mkdir(parents=True, exist_ok=True)
            with source:
                target.write_bytes(source.read())
    return dest
