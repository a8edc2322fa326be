"""Uploaded files kept between two requests (the import's mapping preview and the import).

Each upload goes to a folder named by a random token (``secrets.token_urlsafe``) under
``BUYERMAP_UPLOAD_DIR`` (default: ``buyermap-uploads`` in the system temp dir). The client
only ever sends the token back, never a path: a token that is not of the shape we make, or
names no folder, is refused, so no request can reach a file outside the upload folder.
The file keeps only its suffix (``file.csv``); its original name is stored beside it.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import UploadFile

from buyermap.errors import InvalidValueError, NotFoundError
from buyermap.settings import Settings

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")
MAX_AGE_SECONDS = 24 * 3600
CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Upload:
    token: str
    path: Path  # the stored file
    name: str  # the name the user's file had

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def upload_root(settings: Settings) -> Path:
    root = settings.upload_dir or Path(tempfile.gettempdir()) / "buyermap-uploads"
    root = root.expanduser().resolve()
    root.mkdir(parents=True, exist_ok=True)
    return root


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidValueError(
            f"cannot import {name!r}: the file must end in {', '.join(SUFFIXES)} "
            "(a CSV export in any encoding, or an Excel workbook)"
        )
    return suffix


def _clear_old(root: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and TOKEN.match(folder.name) and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


async def save_upload(settings: Settings, upload: UploadFile) -> Upload:
    """Store an uploaded file under a new token; refuse one larger than the limit."""
    name = Path(upload.filename or "").name
    if not name:
        raise InvalidValueError("choose a file to import (a CSV or XLSX export of your CRM)")
    suffix = _suffix(name)
    root = upload_root(settings)
    _clear_old(root)
    token = secrets.token_urlsafe(16)
    folder = root / token
    folder.mkdir()
    path = folder / f"file{suffix}"
    limit = settings.upload_max_mb * 1024 * 1024
    size = 0
    with path.open("wb") as out:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > limit:
                out.close()
                shutil.rmtree(folder, ignore_errors=True)
                raise InvalidValueError(
                    f"{name!r} is larger than {settings.upload_max_mb} MB, the largest file "
                    "this workbench takes; split the file, or ask whoever runs buyermap to "
                    "raise BUYERMAP_UPLOAD_MAX_MB (or import it with `buyermap import`)"
                )
            out.write(chunk)
    if size == 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise InvalidValueError(f"{name!r} is empty; export the records again and upload that")
    (folder / "meta.json").write_text(json.dumps({"name": name}), encoding="utf-8")
    return Upload(token=token, path=path, name=name)


def store_text(settings: Settings, name: str, text: str) -> Upload:
    """Store text (corrected rows) as an upload of its own, UTF-8."""
    root = upload_root(settings)
    token = secrets.token_urlsafe(16)
    folder = root / token
    folder.mkdir()
    path = folder / f"file{_suffix(name)}"
    path.write_text(text, encoding="utf-8", newline="")
    (folder / "meta.json").write_text(json.dumps({"name": name}), encoding="utf-8")
    return Upload(token=token, path=path, name=name)


def find_upload(settings: Settings, token: str) -> Upload:
    """The upload a token names; refused when the token is malformed or expired."""
    gone = NotFoundError(
        "this upload is no longer kept (it was imported already, or is older than a day); "
        "upload the file again at /import"
    )
    if not TOKEN.match(token):
        raise gone
    folder = upload_root(settings) / token
    files = [p for p in folder.glob("file.*") if p.suffix in SUFFIXES] if folder.is_dir() else []
    if not files:
        raise gone
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return Upload(token=token, path=files[0], name=str(meta.get("name") or files[0].name))


def discard(upload: Upload) -> None:
    shutil.rmtree(upload.path.parent, ignore_errors=True)
