#!/usr/bin/env python3
"""Print what a screenshot shows, for the HTML report test: width, height,
the share of pixels that are not white, and how many pixels have each of
the report's arrow colours. PNG decoding with the standard library only
(8-bit RGB or RGBA, not interlaced: what Chromium writes)."""
import struct
import sys
import zlib

COLOURS = {"matched": (0x22, 0x22, 0x22), "traceonly": (0xC6, 0x28, 0x28),
           "kernel": (0x7B, 0x1F, 0xA2), "wireonly": (0xEF, 0x6C, 0x00),
           "late": (0x99, 0x99, 0x99)}


def rows(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise SystemExit(f"{path}: unsupported PNG layout")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        yield w, h, bpp, line
        prev = line


def main():
    counts = {k: 0 for k in COLOURS}
    nonwhite = total = 0
    w = h = 0
    for w, h, bpp, line in rows(sys.argv[1]):
        for x in range(0, w * bpp, bpp):
            px = (line[x], line[x + 1], line[x + 2])
            total += 1
            if px != (255, 255, 255):
                nonwhite += 1
            for k, c in COLOURS.items():
                if px == c:
                    counts[k] += 1
    print(f"size {w} {h}")
    print(f"nonwhite {nonwhite / max(total, 1):.4f}")
    for k, v in counts.items():
        print(f"colour {k} {v}")


main()
