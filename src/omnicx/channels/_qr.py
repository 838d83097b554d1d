"""QR codes for the store (survey links on receipts, tables, counters), via ``segno``.

Error correction "M" at least (``segno`` raises it when the data still fits), a
4-module quiet zone, black on white.
"""

from __future__ import annotations

import io

import segno

MAX_DATA_CHARS = 2000


def _code(data: str) -> segno.QRCode:
    if not isinstance(data, str) or not data:
        raise ValueError("QR data must be a non-empty string (e.g. a survey URL)")
    if len(data) > MAX_DATA_CHARS:
        raise ValueError(
            f"QR data is {len(data)} characters; keep it under {MAX_DATA_CHARS} "
            "(use a short link)"
        )
    return segno.make(data, error="m", micro=False)


def qr_png(data: str, scale: int = 8) -> bytes:
    """A PNG image of the QR code of ``data`` (``scale`` pixels per module)."""
    buffer = io.BytesIO()
    _code(data).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_svg(data: str, scale: int = 8, title: str | None = None) -> str:
    """A standalone SVG document (no XML declaration) of the QR code of ``data``."""
    buffer = io.BytesIO()
    _code(data).save(
        buffer,
        kind="svg",
        scale=scale,
        border=4,
        xmldecl=False,
        title=title,
        light="#fff",
    )
    return buffer.getvalue().decode("utf-8")
