#!/usr/bin/env python3
"""Draw the Ordinavo app icon set with the Python standard library only.

A rounded square in deep teal holds a white "O" ring; a mint status dot
sits on the ring's upper right. Every size is drawn from signed distances,
so edges are anti-aliased without any resampling.

Run from anywhere: python3 icons/generate.py
Writes the PNG, ICO and ICNS files Tauri v2 expects next to this script.
"""

import math
import struct
import zlib
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent

TEAL_TOP = (14, 124, 130)
TEAL_BOTTOM = (8, 74, 80)
WHITE = (255, 255, 255)
MINT = (127, 224, 196)

# Geometry in unit coordinates (the icon spans 0..1 on both axes).
MARGIN = 0.0625
CORNER = 0.2
RING_RADIUS = 0.27
RING_WIDTH = 0.09
DOT_RADIUS = 0.085
DOT_GAP = 0.035
DOT_ANGLE = math.radians(-45)  # upper right; y grows downwards
DOT_CENTER = (
    0.5 + RING_RADIUS * math.cos(DOT_ANGLE),
    0.5 + RING_RADIUS * math.sin(DOT_ANGLE),
)


def rounded_square_distance(x, y):
    half = 0.5 - MARGIN - CORNER
    qx = abs(x - 0.5) - half
    qy = abs(y - 0.5) - half
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - CORNER


def circle_distance(x, y, center, radius):
    return math.hypot(x - center[0], y - center[1]) - radius


def coverage(distance, pixel):
    """Fraction of a pixel covered by the shape whose edge is `distance` away."""
    return min(max(0.5 - distance / pixel, 0.0), 1.0)


def blend(under, over, amount):
    return tuple(u + (o - u) * amount for u, o in zip(under, over))


def render(size):
    """RGBA rows (bytes, without PNG filter bytes) of the icon at `size` pixels."""
    pixel = 1.0 / size
    rows = []
    for py in range(size):
        y = (py + 0.5) * pixel
        background = blend(TEAL_TOP, TEAL_BOTTOM, y)
        row = bytearray()
        for px in range(size):
            x = (px + 0.5) * pixel
            alpha = coverage(rounded_square_distance(x, y), pixel)
            if alpha == 0.0:
                row += b"\0\0\0\0"
                continue
            ring = abs(circle_distance(x, y, (0.5, 0.5), RING_RADIUS)) - RING_WIDTH / 2
            gap = circle_distance(x, y, DOT_CENTER, DOT_RADIUS + DOT_GAP)
            dot = circle_distance(x, y, DOT_CENTER, DOT_RADIUS)
            color = blend(background, WHITE, coverage(ring, pixel) * (1.0 - coverage(gap, pixel)))
            color = blend(color, MINT, coverage(dot, pixel))
            row += bytes(round(c) for c in color) + bytes([round(alpha * 255)])
        rows.append(bytes(row))
    return rows


def png(size):
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\0" + row for row in render(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def ico(images):
    """ICO container with PNG-compressed entries; `images` maps size to PNG bytes."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, data = b"", b""
    for size, image in sorted(images.items()):
        dimension = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack(
            "<BBBBHHII", dimension, dimension, 0, 0, 1, 32, len(image), offset + len(data)
        )
        data += image
    return header + entries + data


# ICNS element types that hold PNG data, by pixel size.
ICNS_TYPES = [
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
]


def icns(images):
    body = b"".join(
        kind + struct.pack(">I", 8 + len(images[size])) + images[size]
        for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main():
    ico_sizes = [16, 24, 32, 48, 64, 256]
    sizes = sorted(set(ico_sizes) | {size for _, size in ICNS_TYPES} | {32, 128, 256, 512})
    images = {size: png(size) for size in sizes}

    outputs = {
        "32x32.png": images[32],
        "128x128.png": images[128],
        "128x128@2x.png": images[256],
        "icon.png": images[512],
        "icon.ico": ico({size: images[size] for size in ico_sizes}),
        "icon.icns": icns(images),
    }
    for name, data in outputs.items():
        (OUT_DIR / name).write_bytes(data)
        print(f"wrote {name} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
