"""Checking uploaded images: what we keep is a fresh re-encoding of the pixels, never the file that was sent.

An upload is treated as hostile. It is refused when it is empty or too large, when its name tries to climb out of a
folder, when the browser says it is something other than a JPEG, PNG or WebP image, when Pillow cannot open and
verify it as one of those three formats (SVG, HTML, GIF/script polyglots, truncated or garbage files), and when its
header announces more pixels than we are willing to decode (decompression bombs). What passes is decoded and
re-encoded from the raw pixels into a brand-new image, so EXIF (GPS position, camera serial), XMP, ICC profiles,
comments and anything appended after the image data are gone. The stored name is random; the original file name is
never used for anything.

A request's files are checked together (`check_images`), cheapest first, and nothing is decoded until all of them
passed `screen_images`: their number, each one's size, type and dimensions read from its header alone, then the
pixels of all of them against one budget. Decoding is what costs (about 17 ms of CPU per megapixel); a flat image
compresses to almost nothing (a 6300 x 6300 greyscale PNG is 38 KB, 5 KB in black and white), so without the budget
one 12 MB request could make a worker decode hundreds of 40-megapixel images.
"""

from __future__ import annotations

import io
import secrets
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from PIL import Image, ImageOps, UnidentifiedImageError

from errors import DomainError
from i18n import _

T = TypeVar("T")

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 48-megapixel phone photo is refused; 12-24 MP photos pass
# All the images of one request together. A 12 MB body (MAX_CONTENT_LENGTH) carries about four 12-MP phone photos
# (2.5-4 MB each, ~48 MP) or twenty 3-MP screenshots (~60 MP): 100 MP lets those through with room to spare, and
# bounds what one request can make a worker decode to about 2 s of CPU (300 crafted 40-MP files would be 200 s).
MAX_REQUEST_PIXELS = 100_000_000
MAX_EDGE = 3000  # stored photos are scaled down to this longest side (enough to read a plate, small in the database)
JPEG_QUALITY = 85

# Formats we accept, as Pillow names them, with the content types a browser may declare for them.
ACCEPTED_FORMATS = {"JPEG": {"image/jpeg", "image/jpg", "image/pjpeg"}, "PNG": {"image/png"}, "WEBP": {"image/webp"}}
# What a browser sends when it does not know; the content decides.
UNDECLARED_TYPES = {"", "application/octet-stream"}

# Pillow's own decompression-bomb guard (a warning above the limit, an error above twice it), at our per-image cap
# rather than its default of ~89 MP, for any image this process opens.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class UploadRejected(DomainError):
    """The file is not an image we accept; the message says why, for the person who sent it.

    `reasons` holds one sentence per refused file (or one for the whole request), ready to show at the field.
    """

    def __init__(self, message: str, reasons: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.reasons = tuple(reasons) or (message,)


@dataclass(frozen=True)
class SentFile:
    """One file of a request as it arrived: its bytes (read up to one byte past the size cap), name and type."""

    raw: bytes
    filename: str | None = None
    declared_type: str | None = None

    @property
    def label(self) -> str:
        return (self.filename or "photo")[:80]


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
        raise UploadRejected(_("The file name is too long."))
    if "/" in name or "\\" in name or ".." in name or any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise UploadRejected(_("The file name is not acceptable. Rename the photo and try again."))


def check_images(
    files: Sequence[SentFile],
    *,
    max_files: int,
    max_request_pixels: int = MAX_REQUEST_PIXELS,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_pixels: int = MAX_PIXELS,
) -> list[CheckedImage]:
    """Check the images of one request and return their clean re-encodings; raise `UploadRejected` otherwise.

    Nothing is decoded before every file passed `screen_images`.
    """
    screen_images(
        files, max_files=max_files, max_request_pixels=max_request_pixels, max_bytes=max_bytes, max_pixels=max_pixels
    )
    return _each_file(files, check_image, max_bytes=max_bytes, max_pixels=max_pixels)


def screen_images(
    files: Sequence[SentFile],
    *,
    max_files: int,
    max_request_pixels: int = MAX_REQUEST_PIXELS,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_pixels: int = MAX_PIXELS,
) -> None:
    """The cheap checks of a request's images, nothing decoded; raise `UploadRejected` when one fails.

    The count, then each file's name, size, type and dimensions from its header, then the sum of their pixels
    against the request's budget.
    """
    if len(files) > max_files:
        raise UploadRejected(_("At most %(max)d photos can be added here. Choose fewer photos.", max=max_files))
    sizes = _each_file(files, image_size, max_bytes=max_bytes, max_pixels=max_pixels)
    total = sum(width * height for width, height in sizes)
    if total > max_request_pixels:
        raise UploadRejected(
            _(
                "These photos have too many pixels together (%(total)d megapixels; at most %(max)d in one go)."
                " Send fewer photos at a time, or smaller ones.",
                total=total // 1_000_000,
                max=max_request_pixels // 1_000_000,
            )
        )


def _each_file(files: Sequence[SentFile], check: Callable[..., T], *, max_bytes: int, max_pixels: int) -> list[T]:
    """`check` each file; a refusal names every file that failed (one message a file, the first as the summary)."""
    problems: list[str] = []
    results: list[T] = []
    for sent in files:
        try:
            results.append(
                check(
                    sent.raw,
                    filename=sent.filename,
                    declared_type=sent.declared_type,
                    max_bytes=max_bytes,
                    max_pixels=max_pixels,
                )
            )
        except UploadRejected as exc:
            problems.append(f"{sent.label}: {exc} Choose the photo again.")
    if problems:
        raise UploadRejected(problems[0], problems)
    return results


def image_size(
    raw: bytes,
    *,
    filename: str | None = None,
    declared_type: str | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_pixels: int = MAX_PIXELS,
) -> tuple[int, int]:
    """The cheap checks of one file, nothing decoded: its name, size and declared type, then its format and
    dimensions read from the image's header (`Image.open` reads the header; only `load` decodes the pixels)."""
    _check_sent(raw, filename, declared_type, max_bytes)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with _open(raw, max_pixels) as image:
                return image.size
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UploadRejected(_("The photo has too many pixels.")) from None
        except UploadRejected:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, MemoryError):
            raise UploadRejected(_("The file is not a JPEG, PNG or WebP photo, or it is damaged.")) from None


def _check_sent(raw: bytes, filename: str | None, declared_type: str | None, max_bytes: int) -> str:
    """Name, emptiness, size and declared type; returns the declared type, normalised."""
    check_filename(filename)
    if not raw:
        raise UploadRejected(_("The file is empty."))
    if len(raw) > max_bytes:
        raise UploadRejected(_("The photo is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024)))
    declared = (declared_type or "").split(";")[0].strip().lower()
    accepted_types = set().union(*ACCEPTED_FORMATS.values())
    if declared not in UNDECLARED_TYPES and declared not in accepted_types:
        raise UploadRejected(_("Only JPEG, PNG and WebP photos can be uploaded."))
    return declared


def check_image(
    raw: bytes,
    *,
    filename: str | None = None,
    declared_type: str | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_pixels: int = MAX_PIXELS,
) -> CheckedImage:
    """Check one image and return its clean re-encoding; raise `UploadRejected` otherwise. This decodes it: the
    files of a request go through `check_images`, which bounds what is decoded first."""
    declared = _check_sent(raw, filename, declared_type, max_bytes)

    with warnings.catch_warnings():
        # Pillow's own bomb guard warns first and raises later; we want a refusal either way.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            fmt = _verify(raw, max_pixels)
            if declared not in UNDECLARED_TYPES and declared not in ACCEPTED_FORMATS[fmt]:
                raise UploadRejected(_("The file's content does not match its type."))
            image = _decode(raw, max_pixels)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UploadRejected(_("The photo has too many pixels.")) from None
        except UploadRejected:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, MemoryError):
            raise UploadRejected(_("The file is not a JPEG, PNG or WebP photo, or it is damaged.")) from None
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
        raise UploadRejected(_("Only JPEG, PNG and WebP photos can be uploaded."))
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels:
        raise UploadRejected(_("The photo has too many pixels."))
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
