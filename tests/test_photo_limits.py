"""Photo decoding is bounded (issue 15 item 5): pixel caps fit for a tablet camera,
JPEG decoded in draft mode, a limit on decodes at once, and only JPEG, PNG and WebP
opened. Memory is measured as the peak RSS growth of a fresh process."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from survey_app.domain import images
from survey_app.domain.errors import DomainError

from .crafted_files import camera_jpeg, decode_peak, png_bomb, write
from .support import image_bytes


def test_a_png_bomb_just_under_the_old_cap_is_refused_without_decoding(tmp_path):
    bomb = write(tmp_path, "bomb.png", png_bomb(10000, 7990))  # 79.9 MP in 233 kB
    result = decode_peak([bomb])
    assert result["answers"] == [images.TOO_MANY_PIXELS]
    assert result["growth_mb"] < 20  # the old code took ~730 MB to decode it


def test_eight_png_bombs_at_once_stay_within_two_decodes(tmp_path):
    bomb = write(tmp_path, "bomb.png", png_bomb(3000, 2660))  # 7.98 MP, just under the PNG cap
    alone = decode_peak([bomb])
    together = decode_peak([bomb] * 8)
    assert alone["answers"] == [images.MAX_SIDE] and together["answers"] == [images.MAX_SIDE] * 8
    # One decode costs ~66 MB; eight at once are held to DECODE_SLOTS (2) of them.
    assert alone["growth_mb"] < 90
    assert together["growth_mb"] < images.DECODE_SLOTS * 80


def test_a_40_megapixel_jpeg_is_decoded_in_draft_mode(tmp_path):
    photo = write(tmp_path, "big.jpg", camera_jpeg(1, size=(8000, 5000), quality=80))
    result = decode_peak([photo])
    assert result["answers"] == [images.MAX_SIDE]
    assert result["growth_mb"] < 100  # a whole decode holds 160 MB (40 MP × 4 bytes)


def test_pixel_caps_name_the_field(tmp_path):
    with pytest.raises(DomainError) as png:
        images.save_photo(tmp_path, png_bomb(3000, 2700), "file")  # 8.1 MP
    assert png.value.message == images.TOO_MANY_PIXELS and png.value.field == "file"
    assert list(tmp_path.rglob("*")) == []  # nothing kept, not even a temporary file
    with pytest.raises(DomainError) as jpeg:
        images.save_photo(tmp_path, image_bytes("JPEG", (8200, 5000), 0, "L"), "photos[0].data")  # 41 MP
    assert jpeg.value.message == images.TOO_MANY_PIXELS and jpeg.value.field == "photos[0].data"


@pytest.mark.parametrize("kind", ["TIFF", "BMP", "ICO", "PCX", "TGA", "GIF"])
def test_only_jpeg_png_and_webp_are_opened(tmp_path, kind):
    with pytest.raises(DomainError) as refused:
        images.save_photo(tmp_path, image_bytes(kind, (64, 48), (10, 120, 200)), "file")
    assert refused.value.message == images.NOT_AN_IMAGE and refused.value.field == "file"
    assert list(tmp_path.rglob("*")) == []


def test_accepted_formats_and_normalisation(tmp_path):
    for kind, size, expected in (("JPEG", (640, 480), "image/jpeg"), ("PNG", (640, 480), "image/png"),
                                 ("WEBP", (640, 480), "image/jpeg"), ("JPEG", (3000, 2000), "image/jpeg")):
        saved = images.save_photo(tmp_path, image_bytes(kind, size, (10, 120, 200)), "file")
        assert saved["content_type"] == expected and max(saved["width"], saved["height"]) <= images.MAX_SIDE
        stored = images.photo_path(tmp_path, saved["sha256"], saved["content_type"])
        with Image.open(stored) as image:
            assert image.format == expected.split("/")[1].upper() and image.size == (saved["width"], saved["height"])


def test_printed_photo_fits_the_printed_box(tmp_path):
    saved = images.save_photo(tmp_path, camera_jpeg(2), "file")
    printed = images.printed_photo(images.photo_path(tmp_path, saved["sha256"], saved["content_type"]))
    with Image.open(io.BytesIO(printed)) as image:
        assert image.format == "JPEG" and image.width <= images.PRINT_BOX[0] and image.height <= images.PRINT_BOX[1]
        assert max(image.width / images.PRINT_BOX[0], image.height / images.PRINT_BOX[1]) > 0.99
    assert len(printed) < 400_000
