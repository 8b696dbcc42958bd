"""security.uploads: only real JPEG/PNG/WebP images pass, re-encoded, with every piece of metadata gone."""

from __future__ import annotations

import functools
import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image, ImageFile, features

from security.uploads import MAX_REQUEST_PIXELS, SentFile, UploadRejected, check_image, check_images, image_size

GPS_IFD = ExifTags.IFD.GPSInfo


def image_bytes(fmt: str = "JPEG", size=(64, 48), mode: str = "RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None).save(out, format=fmt, **save)
    return out.getvalue()


def gps_tagged_jpeg(size=(64, 48), orientation: int | None = None) -> bytes:
    """A JPEG carrying the kind of metadata a phone writes: camera make and serial, GPS position, time."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam-Maker"
    exif[ExifTags.Base.Model] = "Model-X"
    exif[ExifTags.Base.DateTime] = "2026:11:27 10:15:00"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.0)
    return image_bytes("JPEG", size=size, exif=exif, comment=b"secret-comment")


def test_the_gps_fixture_really_carries_gps():
    with Image.open(io.BytesIO(gps_tagged_jpeg())) as original:
        exif = original.getexif()
        assert exif[ExifTags.Base.Make] == "SpyCam-Maker"
        assert exif.get_ifd(GPS_IFD)[ExifTags.GPS.GPSLatitudeRef] == "N"


def test_a_gps_tagged_jpeg_is_re_encoded_without_any_metadata():
    checked = check_image(gps_tagged_jpeg(), filename="IMG_0001.JPG", declared_type="image/jpeg")
    assert checked.content_type == "image/jpeg"
    assert (checked.width, checked.height) == (64, 48)
    assert checked.byte_size == len(checked.data)
    with Image.open(io.BytesIO(checked.data)) as stored:
        assert stored.format == "JPEG"
        assert dict(stored.getexif()) == {}
        assert stored.getexif().get_ifd(GPS_IFD) == {}
        assert "exif" not in stored.info and "comment" not in stored.info and "icc_profile" not in stored.info
    for marker in (b"Exif", b"SpyCam", b"secret-comment", b"GPS"):
        assert marker not in checked.data


def test_the_orientation_is_applied_before_the_tag_is_dropped():
    checked = check_image(gps_tagged_jpeg(size=(60, 20), orientation=6))
    assert (checked.width, checked.height) == (20, 60)


def test_stored_names_are_random_and_never_the_uploaded_name():
    raw = image_bytes("PNG")
    names = {check_image(raw, filename="evil-name.png").stored_name for _ in range(5)}
    assert len(names) == 5
    for name in names:
        assert "evil" not in name
        assert name.endswith(".jpg") and len(name) == 36


def test_png_with_transparency_stays_png_without_text_chunks():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "where-the-safe-is")
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, format="PNG", pnginfo=info)
    checked = check_image(out.getvalue(), declared_type="image/png")
    assert checked.content_type == "image/png" and checked.stored_name.endswith(".png")
    assert b"where-the-safe-is" not in checked.data
    with Image.open(io.BytesIO(checked.data)) as stored:
        assert stored.mode == "RGBA" and "Comment" not in stored.info


def test_an_icc_profile_is_dropped():
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    checked = check_image(image_bytes("JPEG", icc_profile=profile))
    with Image.open(io.BytesIO(checked.data)) as stored:
        assert "icc_profile" not in stored.info


@pytest.mark.skipif(not features.check("webp"), reason="Pillow built without WebP")
def test_webp_is_accepted_and_re_encoded():
    checked = check_image(image_bytes("WEBP"), declared_type="image/webp")
    assert checked.content_type == "image/jpeg"


def test_data_appended_after_the_image_is_not_kept():
    polyglot = image_bytes("JPEG") + b"<html><script>alert(document.cookie)</script></html>PK\x03\x04"
    checked = check_image(polyglot)
    assert b"<script>" not in checked.data and b"PK\x03\x04" not in checked.data


def test_large_photos_are_scaled_down():
    checked = check_image(image_bytes("JPEG", size=(4000, 1000)))
    assert (checked.width, checked.height) == (3000, 750)


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>'
)
GIF_SCRIPT_POLYGLOT = b"GIF89a/*\x01\x00\x01\x00\x00\xff\x00,*/=alert(document.domain);//\x00\x00\x00;"


def _truncated_jpeg() -> bytes:
    raw = image_bytes("JPEG", size=(200, 200))
    return raw[: len(raw) // 2]


def _png_with_bad_crc() -> bytes:
    raw = bytearray(image_bytes("PNG"))
    raw[29] ^= 0xFF  # inside the IHDR chunk's CRC
    return bytes(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (SVG, "not a JPEG"),
        (b"<html><body>hello</body></html>", "not a JPEG"),
        (GIF_SCRIPT_POLYGLOT, "not a JPEG"),
        (image_bytes("GIF"), "not a JPEG"),
        (image_bytes("BMP"), "not a JPEG"),
        (b"\xff\xd8\xff\xe0" + b"garbage" * 50, "not a JPEG"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not a JPEG"),
        (_truncated_jpeg(), "not a JPEG"),
        (_png_with_bad_crc(), "not a JPEG"),
    ],
    ids=[
        "empty",
        "svg",
        "html",
        "gif-script-polyglot",
        "gif",
        "bmp",
        "jpeg-garbage",
        "png-garbage",
        "truncated",
        "crc",
    ],
)
def test_what_is_not_a_clean_accepted_image_is_refused(raw, message):
    with pytest.raises(UploadRejected, match=message):
        check_image(raw, filename="photo.jpg")


def test_oversize_files_are_refused_before_decoding():
    with pytest.raises(UploadRejected, match="larger than"):
        check_image(image_bytes("JPEG"), max_bytes=100)


def _pixel_flood_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge canvas (a decompression bomb's calling card)."""
    raw = bytearray(image_bytes("PNG", size=(1, 1), mode="L"))
    ihdr = struct.pack(">II", width, height) + bytes(raw[24:29])
    raw[16:29] = ihdr
    raw[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(raw)


@pytest.mark.parametrize("size", [(100_000, 100_000), (10_000, 5_000)])
def test_pixel_floods_are_refused(size):
    with pytest.raises(UploadRejected, match="too many pixels"):
        check_image(_pixel_flood_png(*size))


def test_the_pixel_limit_is_ours():
    with pytest.raises(UploadRejected, match="too many pixels"):
        check_image(image_bytes("JPEG", size=(100, 100)), max_pixels=5_000)


@pytest.mark.parametrize(
    "filename", ["../../etc/passwd.jpg", "..\\..\\boot.ini.jpg", "a/b.jpg", "/abs.jpg", "nul\x00.jpg", "line\n.jpg"]
)
def test_path_traversal_and_control_characters_in_names_are_refused(filename):
    with pytest.raises(UploadRejected, match="file name"):
        check_image(image_bytes("JPEG"), filename=filename)


@pytest.mark.parametrize(
    ("declared", "fmt"),
    [("text/html", "JPEG"), ("image/svg+xml", "PNG"), ("image/gif", "JPEG"), ("image/png", "JPEG")],
)
def test_a_declared_type_that_is_wrong_is_refused(declared, fmt):
    with pytest.raises(UploadRejected):
        check_image(image_bytes(fmt), declared_type=declared)


@pytest.mark.parametrize("declared", [None, "", "application/octet-stream", "image/jpeg; charset=binary"])
def test_an_unknown_or_matching_declared_type_lets_the_content_decide(declared):
    assert check_image(image_bytes("JPEG"), declared_type=declared).content_type == "image/jpeg"


# --- a request's files together: nothing decoded before the count, the headers and the pixel budget passed ---------


@functools.cache
def flat_png(mode: str = "L", size=(6300, 6300)) -> bytes:
    """A flat 40-megapixel PNG: tiny on the wire (38 KB in greyscale, 5 KB in black and white), costly to decode."""
    out = io.BytesIO()
    Image.new(mode, size).save(out, format="PNG", optimize=True)
    return out.getvalue()


def count_decodes(monkeypatch) -> list[tuple[int, int]]:
    """The sizes of the images whose pixels Pillow decodes from now on in the test (Pillow's `ImageFile.load` with
    tiles left to read, wrapped to count; Pillow is not our code)."""
    sizes: list[tuple[int, int]] = []
    load = ImageFile.ImageFile.load

    def counting_load(self):
        if self.tile:
            sizes.append(self.size)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    return sizes


@pytest.fixture
def decoded(monkeypatch) -> list[tuple[int, int]]:
    return count_decodes(monkeypatch)


def test_the_flat_png_is_tiny_and_really_decodes(decoded):
    assert len(flat_png("L")) < 50_000 and len(flat_png("1")) < 10_000
    check_image(flat_png("1"))
    assert decoded == [(6300, 6300)]


def test_dimensions_come_from_the_header_without_decoding(decoded):
    assert image_size(flat_png("L"), declared_type="image/png") == (6300, 6300)
    assert image_size(image_bytes("JPEG", size=(40, 30))) == (40, 30)
    assert decoded == []


def test_more_files_than_allowed_are_refused_before_any_decoding(decoded):
    files = [SentFile(flat_png("1"), f"{i}.png", "image/png") for i in range(300)]
    with pytest.raises(UploadRejected, match="At most 20 photos"):
        check_images(files, max_files=20)
    assert decoded == []


def test_a_request_over_the_pixel_budget_is_refused_before_any_decoding(decoded):
    files = [SentFile(flat_png("L"), f"{i}.png", "image/png") for i in range(3)]  # 3 x 39.7 MP > 100 MP
    assert 3 * 6300 * 6300 > MAX_REQUEST_PIXELS
    with pytest.raises(UploadRejected, match="too many pixels together"):
        check_images(files, max_files=20)
    assert decoded == []


def test_a_request_under_the_pixel_budget_is_decoded_and_re_encoded(decoded):
    files = [SentFile(flat_png("L"), f"{i}.png", "image/png") for i in range(2)]  # 79.4 MP
    images = check_images(files, max_files=20)
    assert [(image.width, image.height) for image in images] == [(3000, 3000), (3000, 3000)]
    assert decoded == [(6300, 6300), (6300, 6300)]


def test_the_budget_is_the_sum_of_the_pixels():
    files = [SentFile(image_bytes("PNG", size=(100, 50)))] * 3
    with pytest.raises(UploadRejected, match="too many pixels together"):
        check_images(files, max_files=20, max_request_pixels=14_999)
    assert len(check_images(files, max_files=20, max_request_pixels=15_000)) == 3


def test_one_bad_file_refuses_the_request_before_the_good_ones_are_decoded(decoded):
    files = [SentFile(flat_png("L"), "good.png", "image/png"), SentFile(SVG, "evil.svg", "image/svg+xml")]
    with pytest.raises(UploadRejected) as refused:
        check_images(files, max_files=20)
    (reason,) = refused.value.reasons
    assert reason == "evil.svg: Only JPEG, PNG and WebP photos can be uploaded. Choose the photo again."
    assert decoded == []


def test_pillow_refuses_bombs_at_our_per_image_cap_too():
    assert Image.MAX_IMAGE_PIXELS == 40_000_000
