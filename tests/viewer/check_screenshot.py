#!/usr/bin/python3
# Runs the viewer with --screenshot under xvfb-run and checks what a user
# would see: the summary line it prints (state, table rows, timeline spans)
# and the PNG itself (size, not blank, the timeline drawn in colour).
#
# usage: check_screenshot.py --png OUT --expect STATE [--page PAGE] [--message TEXT]
#                            [--rows N] [--min-spans N] [--timeout S] -- COMMAND...

import argparse
import struct
import subprocess
import sys
import zlib


def read_png(path):
    with open(path, 'rb') as f:
        data = f.read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG file')
    pos = 8
    idat = b''
    width = height = bit_depth = color_type = None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            width, height, bit_depth, color_type = struct.unpack('>IIBB', body[:10])
        elif kind == b'IDAT':
            idat += body
        elif kind == b'IEND':
            break
        pos += 12 + length
    channels = {2: 3, 6: 4, 0: 1, 4: 2}[color_type]
    if bit_depth != 8:
        raise ValueError('unexpected bit depth %d' % bit_depth)
    raw = zlib.decompress(idat)
    stride = width * channels
    rows = []
    prev = bytearray(stride)
    i = 0
    for _ in range(height):
        ftype = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 0xff
            elif ftype == 2:
                line[x] = (line[x] + b) & 0xff
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xff
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 0xff
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def saturated(px):
    r, g, b = px[0], px[1], px[2]
    return max(r, g, b) - min(r, g, b) > 60


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--png', required=True)
    parser.add_argument('--expect', required=True)
    parser.add_argument('--page', help='the page of the session view shown: content, empty or error')
    parser.add_argument('--message', help='a part of the error message shown')
    parser.add_argument('--rows', type=int)
    parser.add_argument('--min-spans', type=int, default=0)
    parser.add_argument('--min-timeline-pixels', type=int, default=200)
    parser.add_argument('--width', type=int, default=1280)
    parser.add_argument('--height', type=int, default=800)
    parser.add_argument('--timeout', type=float, default=90)
    parser.add_argument('command', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ['--'] else args.command

    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=args.timeout)
    sys.stderr.write(proc.stderr)
    print(proc.stdout, end='')
    if proc.returncode != 0:
        print('viewer exited with status %d' % proc.returncode)
        return 1
    if '-CRITICAL **' in proc.stderr:
        print('the viewer logged critical warnings')
        return 1

    summary = {}
    for line in proc.stdout.splitlines():
        if line.startswith('state='):
            for word in line.split(' '):
                if '=' in word:
                    k, v = word.split('=', 1)
                    summary.setdefault(k, v)
            summary['line'] = line
    if summary.get('state') != args.expect:
        print('expected state %s, got %r' % (args.expect, summary.get('line')))
        return 1
    if args.page is not None and summary.get('page') != args.page:
        print('expected the %s page, got %r' % (args.page, summary.get('line')))
        return 1
    if args.message is not None and args.message not in summary.get('line', '').partition(' message=')[2]:
        print('expected an error message with %r, got %r' % (args.message, summary.get('line')))
        return 1
    if 'Failed to set text' in proc.stderr:
        print('a label was given markup it could not parse and shows nothing')
        return 1
    if args.rows is not None and int(summary.get('rows', -1)) != args.rows:
        print('expected %d rows in the table, got %s' % (args.rows, summary.get('rows')))
        return 1
    if int(summary.get('spans', 0)) < args.min_spans:
        print('expected at least %d boxes drawn in the timeline, got %s'
              % (args.min_spans, summary.get('spans')))
        return 1

    width, height, channels, rows = read_png(args.png)
    if (width, height) != (args.width, args.height):
        print('expected a %dx%d PNG, got %dx%d' % (args.width, args.height, width, height))
        return 1

    colors = set()
    colored = 0
    for y in range(0, height, 2):
        row = rows[y]
        for x in range(0, width, 2):
            px = row[x * channels:(x + 1) * channels]
            colors.add(px[:3])
            if saturated(px):
                colored += 1
    print('png %dx%d, %d distinct colours, %d coloured samples' % (width, height, len(colors), colored))
    if len(colors) < 16:
        print('the screenshot is blank or nearly so')
        return 1

    if args.min_spans > 0:
        # The timeline is in the upper third: region colours must show there.
        top = 0
        for y in range(90, height // 3, 2):
            row = rows[y]
            for x in range(140, width, 2):
                if saturated(row[x * channels:(x + 1) * channels]):
                    top += 1
        print('%d coloured samples in the timeline area' % top)
        if top < args.min_timeline_pixels:
            print('the timeline looks empty')
            return 1

    return 0


if __name__ == '__main__':
    sys.exit(main())
