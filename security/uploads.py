"""Checking uploaded images: what we keep is a fresh re-encoding of the pixels, never the file that was sent.

An upload is treated as hostile. It is refused when it is empty or too large, when its name tries to climb out of a
folder, when the browser says it is something other than a JPEG, PNG or WebP image, when Pillow cannot open and
verify it as one of those three formats (SVG, HTML, GIF/script polyglots, truncated or garbage files), and when its
header announces more pixels than we are willing to decode (decompression bombs). What passes is decoded and
re-encoded from the raw pixels into a brand-new image, so EXIF (GPS position, camera serial), XMP, ICC profiles,
comments and anything appended after the image data are gone. The stored name is random; the original file name is
never used for anything.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from errors import DomainError

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 48-megapixel phone photo is refused; 12-24 MP photos pass
MAX_EDGE = 3000  # stored photos are scaled down to this longest side (enough to read a plate, small in the database)
JPEG_QUALITY = 85

# Formats we accept, as Pillow names them, with the content types a browser may declare for them.
ACCEPTED_FORMATS = {"JPEG": {"image/jpeg", "image/jpg", "image/pjpeg"}, "PNG": {"image/png"}, "WEBP": {"image/webp"}}
# What a browser sends when it does not know; the content decides.
UNDECLARED_TYPES = {"", "application/octet-stream"}


class UploadRejected(DomainError):
    """The file is not an image we accept; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class CheckedImage:
    stored_name: str
    content_type: str
    width: int
    height: int
    data: bytes

    @property
    def byte_size(self) -> int:
        return len(self.data)


def check_filename(filename: str | None) -> None:
    """Refuse names that try path traversal or carry control characters (the name is never used, but such a name
    is a sign of a crafted request, and we say no rather than guess)."""
    name = filename or ""
    if len(name) > 255:
        raise UploadRejected("The file name is too long.")
    if "/" in name or "\\" in name or ".." in name or any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise UploadRejected("The file name is not acceptable. Rename the photo and try again.")


def check_image(
    raw: bytes,
    *,
    filename: str | None = None,
    declared_type: str | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_pixels: int = MAX_PIXELS,
) -> CheckedImage:
    """Check one uploaded image and return its clean re-encoding; raise `UploadRejected` otherwise."""
    check_filename(filename)
    if not raw:
        raise UploadRejected("The file is empty.")
    if len(raw) > max_bytes:
        raise UploadRejected(f"The photo is larger than {max_bytes // (1024 * 1024)} MB.")
    declared = (declared_type or "").split(";")[0].strip().lower()
    accepted_types = set().union(*ACCEPTED_FORMATS.values())
    if declared not in UNDECLARED_TYPES and declared not in accepted_types:
        raise UploadRejected("Only JPEG, PNG and WebP photos can be uploaded.")

    with warnings.catch_warnings():
        # Pillow's own bomb guard warns first and raises later; we want a refusal either way.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            fmt = _verify(raw, max_pixels)
            if declared not in UNDECLARED_TYPES and declared not in ACCEPTED_FORMATS[fmt]:
                raise UploadRejected("The file's content does not match its type.")
            image = _decode(raw, max_pixels)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UploadRejected("The photo has too many pixels.") from None
        except UploadRejected:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, MemoryError):
            raise UploadRejected("The file is not a JPEG, PNG or WebP photo, or it is damaged.") from None
    data, content_type, extension = _encode(image)
    return CheckedImage(
        stored_name=f"{secrets.token_hex(16)}.{extension}",
        content_type=content_type,
        width=image.width,
        height=image.height,
        data=data,
    )


def _open(raw: bytes, max_pixels: int) -> Image.Image:
    """Open (header only) and refuse what is not an accepted format or announces too many pixels."""
    image = Image.open(io.BytesIO(raw), formats=list(ACCEPTED_FORMATS))
    if image.format not in ACCEPTED_FORMATS:
        raise UploadRejected("Only JPEG, PNG and WebP photos can be uploaded.")
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels:
        raise UploadRejected("The photo has too many pixels.")
    return image


def _verify(raw: bytes, max_pixels: int) -> str:
    """Pillow's structural check (chunk CRCs, truncation); the image cannot be used after it, so it is reopened."""
    with _open(raw, max_pixels) as image:
        fmt = image.format
        image.verify()
    return fmt


def _decode(raw: bytes, max_pixels: int) -> Image.Image:
    """Decode the first frame fully, upright, into a brand-new image that carries no metadata at all."""
    with _open(raw, max_pixels) as image:
        image.seek(0)
        image.load()
        upright = ImageOps.exif_transpose(image)  # keep how the photo looked once its orientation tag is gone
        has_alpha = upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info)
        pixels = upright.convert("RGBA" if has_alpha else "RGB")
    if max(pixels.size) > MAX_EDGE:
        pixels.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)
    # frombytes builds a new image from the pixels alone: no info dict, no EXIF, no ICC profile, no text chunks.
    return Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())


def _encode(image: Image.Image) -> tuple[bytes, str, str]:
    out = io.BytesIO()
    if image.mode == "RGBA":
        image.save(out, format="PNG", optimize=True)
        return out.getvalue(), "image/png", "png"
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue(), "image/jpeg", "jpg"
