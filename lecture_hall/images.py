"""Pictures people upload (lecturer photos, series covers): checked by content and resized."""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 800
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
ERROR_NOT_AN_IMAGE = _("%(name)s is not a picture (JPEG, PNG or WebP), whatever its name says.")
ERROR_TOO_BIG = _("The picture is larger than 5 MB; choose a smaller one.")
ERROR_TOO_MANY_PIXELS = _("The picture is too large (more than 40 megapixels).")
MAX_PIXELS = 40_000_000


def clean_picture(upload: UploadedFile, *, field: str) -> ContentFile[bytes]:
    """Decode the upload with Pillow, refuse what is not a picture, and return a JPEG at most
    800 px on its longer side (EXIF and other metadata are not copied)."""
    if (upload.size or 0) > MAX_BYTES:
        raise ValidationError({field: [str(ERROR_TOO_BIG)]})
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            fmt = probe.format
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError({field: [str(ERROR_TOO_MANY_PIXELS)]})
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            picture = image.convert("RGB")
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise ValidationError({field: [str(ERROR_NOT_AN_IMAGE % {"name": upload.name})]}) from exc
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError({field: [str(ERROR_NOT_AN_IMAGE % {"name": upload.name})]})
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85, optimize=True)
    stem = (upload.name or "picture").rsplit(".", 1)[0][:60]
    return ContentFile(out.getvalue(), name=f"{stem}.jpg")
