#!/usr/bin/env python3
"""Decodes a PNG (8-bit RGB/RGBA/gray, non-interlaced: what Chromium writes for screenshots) with zlib
and prints {"width", "height", "nonwhite", "colors"}: how many pixels are not (near) white and how
many distinct colours the image has. A blank page renders as zero non-white pixels.

usage: png_stats.py FILE
"""
import json
import struct
import sys
import zlib


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def main() -> int:
    data = open(sys.argv[1], "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        print("not a PNG", file=sys.stderr)
        return 1
    pos, idat = 8, b""
    width = height = depth = ctype = interlace = None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
    if depth != 8 or channels is None or interlace != 0:
        print(f"unsupported PNG: depth {depth}, colour type {ctype}, interlace {interlace}", file=sys.stderr)
        return 1
    raw = zlib.decompress(idat)
    stride = width * channels
    prev = bytearray(stride)
    nonwhite, colors, i = 0, set(), 0
    for _ in range(height):
        ftype = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                line[x] = (line[x] + paeth(a, b, c)) & 255
        for x in range(0, stride, channels):
            px = tuple(line[x:x + min(channels, 3)])
            if len(colors) < 4096:
                colors.add(px)
            if min(px) < 240:
                nonwhite += 1
        prev = line
    json.dump({"width": width, "height": height, "nonwhite": nonwhite, "colors": len(colors)}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
