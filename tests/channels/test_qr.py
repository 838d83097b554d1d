"""QR codes: the PNG and the SVG carry the module matrix of the data."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
import zlib

import pytest
import segno

from omnicx.channels import qr_png, qr_svg

URL = "https://cx.example/s/inv_3f9a?lang=he"
SCALE, BORDER = 8, 4


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def decode_png(data: bytes) -> tuple[int, int, list[list[int]]]:
    """A 1-bit greyscale PNG → (width, height, rows of 0 = black / 1 = white)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, chunk = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        crc = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])[0]
        assert zlib.crc32(kind + chunk) == crc, kind
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    assert header is not None
    width, height, depth, colour, _, _, interlace = header
    assert (depth, colour, interlace) == (1, 0, 0)
    raw = zlib.decompress(idat)
    stride = (width + 7) // 8
    rows, previous = [], bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - 1] if i else 0
            up, corner = previous[i], previous[i - 1] if i else 0
            line[i] = (
                line[i]
                + (0, left, up, (left + up) // 2, _paeth(left, up, corner))[kind]
            ) & 0xFF
        rows.append([(line[x // 8] >> (7 - x % 8)) & 1 for x in range(width)])
        previous = bytes(line)
    return width, height, rows


def test_png_encodes_the_qr_matrix():
    png = qr_png(URL)
    width, height, pixels = decode_png(png)
    matrix = segno.make(URL, error="m", micro=False).matrix
    size = len(matrix)
    assert width == height == (size + 2 * BORDER) * SCALE
    assert pixels[0][0] == 1  # quiet zone is white
    for row in range(size):
        for col in range(size):
            y = (row + BORDER) * SCALE + SCALE // 2
            x = (col + BORDER) * SCALE + SCALE // 2
            assert pixels[y][x] == (0 if matrix[row][col] else 1), (row, col)
    # the three finder patterns: dark 7x7 corners
    for row, col in ((0, 0), (0, size - 7), (size - 7, 0)):
        assert all(matrix[row][col + i] for i in range(7))


def dark_cells(path: str) -> set[tuple[int, int]]:
    """The (row, col) cells a segno stroke path paints: ``M x y``, ``m dx dy``,
    ``h n`` (a run of n dark modules on the row at y - 0.5)."""
    x = y = 0.0
    cells = set()
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s+(-?[\d.]+))?", path):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            cells.update((int(y), int(x) + i) for i in range(int(float(a))))
            x += float(a)
    return cells


def test_svg_is_a_standalone_svg_document():
    svg = qr_svg(URL, title="Rate your visit")
    assert not svg.startswith("<?xml")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    size = len(segno.make(URL, error="m", micro=False).matrix)
    side = (size + 2 * BORDER) * SCALE
    assert (root.get("width"), root.get("height")) == (str(side), str(side))
    [line] = [
        p for p in root.iter("{http://www.w3.org/2000/svg}path") if p.get("stroke")
    ]
    assert dark_cells(line.get("d")) == {
        (row + BORDER, col + BORDER)
        for row, cells in enumerate(segno.make(URL, error="m", micro=False).matrix)
        for col, dark in enumerate(cells)
        if dark
    }
    assert root.find("{http://www.w3.org/2000/svg}title").text == "Rate your visit"


def test_utf8_data_and_bad_input():
    assert qr_png("https://cx.example/s/t?q=שלום").startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="non-empty"):
        qr_png("")
    with pytest.raises(ValueError, match="short link"):
        qr_svg("x" * 5000)
