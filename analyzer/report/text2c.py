#!/usr/bin/env python3
"""A text file as C string constants, one per line and a NULL after the last
(C11 only promises string literals of 4095 bytes), for the HTML report's
inlined script (kept in a .js file of its own so it can be read and linted as
JavaScript).
usage: text2c.py NAME INPUT OUTPUT"""
import sys

name, src, dst = sys.argv[1:4]
with open(src, encoding="utf-8") as f:
    text = f.read()
if "</script" in text.lower():
    sys.exit(f"{src}: '</script' would end the page's script early")
lines = [
    '"' + line.replace("\\", "\\\\").replace('"', '\\"') + '\\n"'
    for line in text.splitlines()
]
with open(dst, "w", encoding="utf-8") as f:
    f.write(f"/* generated from {src.rsplit('/', 1)[-1]} by text2c.py */\n")
    f.write(f"static const char *const {name}[] = {{\n    " + ",\n    ".join(lines) +
            ",\n    NULL,\n};\n")
