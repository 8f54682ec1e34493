"""The Error Handling page in a real browser: headless Chromium renders it from a live server.

Needs Debian's ``chromium`` package (``apt-get install -y chromium``): skipped without it
on a developer machine, a failure in CI (``CI`` set). ``SCREENSHOT_DIR=dir`` keeps the
screenshots.
"""

import os
import re
import shutil
import signal
import struct
import subprocess
import zlib

import pytest
from django.test import override_settings

from api_errors.documentation import describe_errors

WIDTH, HEIGHT = 1280, 2000
BROWSER_TIMEOUT = 60  # seconds per Chromium run
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The live server thread shares the test's in-memory database, so tests open it as
# pytest-django's live_server tests do.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.urls("tests.urls_docs"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: apt-get install -y chromium")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return path


def run_chromium(chromium, tmp_path, *args):
    """One bounded Chromium run; the whole process group is killed if it overruns."""
    command = [
        chromium,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--window-size={WIDTH},{HEIGHT}",
        *args,
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        stdout, stderr = process.communicate(timeout=BROWSER_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"chromium did not finish within {BROWSER_TIMEOUT} s")
    assert process.returncode == 0, stderr.decode(errors="replace")[-2000:]
    return stdout.decode()


def read_png(data):
    """(width, height, rows of pixel tuples) of an 8-bit, non-interlaced RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat, header = 8, [], None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        chunk = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat.append(chunk)
        position += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    assert (depth, interlace) == (8, 0)
    channels = {2: 3, 6: 4}[colour_type]
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        unfilter(kind, line, previous, channels)
        rows.append([tuple(line[x : x + 3]) for x in range(0, stride, channels)])
        previous = line
    return width, height, rows


def unfilter(kind, line, previous, bpp):
    """Undo the PNG filter of one scanline in place (filters 0 to 4)."""
    if kind == 1:
        for i in range(bpp, len(line)):
            line[i] = (line[i] + line[i - bpp]) & 0xFF
    elif kind == 2:
        line[:] = bytes((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
    elif kind == 3:
        for i in range(len(line)):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
    elif kind == 4:
        for i in range(len(line)):
            left = line[i - bpp] if i >= bpp else 0
            up, corner = previous[i], previous[i - bpp] if i >= bpp else 0
            estimate = left + up - corner
            far_left, far_up = abs(estimate - left), abs(estimate - up)
            far_corner = abs(estimate - corner)
            if far_left <= far_up and far_left <= far_corner:
                line[i] = (line[i] + left) & 0xFF
            elif far_up <= far_corner:
                line[i] = (line[i] + up) & 0xFF
            else:
                line[i] = (line[i] + corner) & 0xFF


@pytest.mark.parametrize("style", ["status", "success"])
def test_page_renders_in_headless_chromium(chromium, live_server, tmp_path, style):
    url = f"{live_server.url}/api/docs/errors/"
    screenshot = tmp_path / "page.png"
    with override_settings(API_ERRORS={"STYLE": style}):
        doc = describe_errors()
        run_chromium(chromium, tmp_path, f"--screenshot={screenshot}", url)
        dom = run_chromium(chromium, tmp_path, "--dump-dom", url)

    keep = os.environ.get("SCREENSHOT_DIR")  # e.g. to publish it as a CI artifact
    if keep:
        shutil.copy(screenshot, os.path.join(keep, f"error-handling-{style}.png"))

    # The DOM the browser built holds the title, the tables and every anchor.
    assert "<h1>Error Handling</h1>" in dom
    assert len(re.findall(r'<table class="catalog"', dom)) == len(doc.categories) == 2
    for row in doc.errors:
        assert f'<tr id="{row.anchor}">' in dom
    for status in doc.statuses:
        assert f'<tr id="status-{status.status}">' in dom
    assert '<pre id="example-body">' in dom

    # A real picture of the requested size, with the page's colours on it.
    width, height, rows = read_png(screenshot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    pixels = [pixel for row in rows[::4] for pixel in row[::4]]
    colours = set(pixels)
    assert len(colours) > 50, "the screenshot is (nearly) blank"
    white = sum(1 for pixel in pixels if pixel == (255, 255, 255))
    assert 0.3 < white / len(pixels) < 0.97, "the page should be mostly white, but not empty"
    # The example's dark panel and the status badges' tints are drawn.
    assert (15, 23, 42) in colours  # --pre-bg
    assert (254, 243, 199) in colours  # 4xx badge
