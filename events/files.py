"""Uploaded materials: the type is decided by the file's first bytes, never by its name."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "webp": (b"RIFF",),  # followed by WEBP at offset 8, checked below
}
ERROR_TOO_BIG = _("The file is %(size)s MB; at most %(max)s MB is accepted.")
ERROR_WRONG_TYPE = _(
    "The file %(name)s is not a %(allowed)s file (its content says otherwise, whatever its name)."
)
ERROR_EMPTY = _("The file is empty.")


def sniff(head: bytes) -> str | None:
    for kind, prefixes in SIGNATURES.items():
        if any(head.startswith(p) for p in prefixes):
            if kind == "webp" and head[8:12] != b"WEBP":
                continue
            return kind
    return None


def check_upload(upload: UploadedFile, *, allowed: tuple[str, ...], field: str) -> str:
    """Return the detected kind, or raise ValidationError naming the field and what is allowed."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError({field: [str(ERROR_EMPTY)]})
    if size > MAX_BYTES:
        raise ValidationError(
            {
                field: [
                    str(
                        ERROR_TOO_BIG
                        % {"size": round(size / 1048576, 1), "max": MAX_BYTES // 1048576}
                    )
                ]
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind not in allowed:
        names = "/".join(a.upper() for a in allowed)
        raise ValidationError(
            {field: [str(ERROR_WRONG_TYPE % {"name": upload.name, "allowed": names})]}
        )
    return kind
