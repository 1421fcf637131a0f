"""QR codes as inline SVG for printed delivery notes.

The SVG is built from the qrcode library's module matrix with presentation attributes only (no
style attribute, no script), so it passes the site's Content-Security-Policy.
"""

from __future__ import annotations

import qrcode
from markupsafe import Markup, escape


def qr_svg(data: str, label: str) -> Markup:
    """An accessible inline SVG QR code for ``data`` (a URL), described by ``label``."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    path = "".join(f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" class="qr" role="img" '
        f'aria-label="{escape(label)}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )
