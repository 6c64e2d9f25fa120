// The store-only ZIP writer (static/js/zip.js): CRC-32 against known values (and Node's zlib),
// and the archive parsed back field by field. tests/test_zip_archive.py has Python's zipfile
// open what it writes.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import zlib from 'node:zlib';

import { crc32, dosDateTime, zipStore } from '../../static/js/zip.js';

const bytes = (text) => new TextEncoder().encode(text);

test('CRC-32 matches the standard check value and zlib', () => {
  assert.equal(crc32(bytes('123456789')), 0xcbf43926); // the CRC-32 catalogue's check value
  assert.equal(crc32(new Uint8Array(0)), 0);
  const random = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919 + (i >> 3)) & 0xff);
  if (zlib.crc32) assert.equal(crc32(random), zlib.crc32(random));
  // in pieces, continued
  assert.equal(crc32(random.subarray(1234), crc32(random.subarray(0, 1234))), crc32(random));
});

test('MS-DOS dates: 2-second resolution, years from 1980', () => {
  const { time, date } = dosDateTime(new Date(2026, 11, 2, 15, 4, 59));
  assert.equal(time, (15 << 11) | (4 << 5) | 29);
  assert.equal(date, (46 << 9) | (12 << 5) | 2);
  assert.equal(dosDateTime(new Date(1970, 0, 1)).date >> 9, 0);
});

/** Read an archive back: the end record, the central directory, each local header and its bytes. */
function parse(zip) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const end = zip.length - 22;
  assert.equal(view.getUint32(end, true), 0x06054b50, 'end of central directory');
  const count = view.getUint16(end + 10, true);
  assert.equal(view.getUint16(end + 8, true), count);
  const size = view.getUint32(end + 12, true);
  let p = view.getUint32(end + 16, true);
  assert.equal(p + size, end, 'the central directory ends where the end record starts');
  const decoder = new TextDecoder();
  const files = [];
  for (let i = 0; i < count; i++) {
    assert.equal(view.getUint32(p, true), 0x02014b50, 'central entry');
    assert.equal(view.getUint16(p + 10, true), 0, 'stored');
    const crc = view.getUint32(p + 16, true);
    const length = view.getUint32(p + 20, true);
    assert.equal(view.getUint32(p + 24, true), length);
    const nameLength = view.getUint16(p + 28, true);
    const offset = view.getUint32(p + 42, true);
    const name = decoder.decode(zip.subarray(p + 46, p + 46 + nameLength));
    p += 46 + nameLength + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
    assert.equal(view.getUint32(offset, true), 0x04034b50, 'local header');
    assert.equal(view.getUint32(offset + 14, true), crc);
    assert.equal(view.getUint32(offset + 18, true), length);
    const start = offset + 30 + view.getUint16(offset + 26, true) + view.getUint16(offset + 28, true);
    assert.equal(decoder.decode(zip.subarray(offset + 30, offset + 30 + nameLength)), name);
    const data = zip.subarray(start, start + length);
    assert.equal(crc32(data), crc, `${name}: its CRC`);
    files.push({ name, data });
  }
  assert.equal(p, end);
  return files;
}

test('an archive parses back: every name, every byte, every CRC', () => {
  const files = [
    { name: 'frames/frame-0001.png', data: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) },
    { name: 'moons – ünïcode.txt', data: bytes('hello\n') },
    { name: 'empty.bin', data: new Uint8Array(0) },
  ];
  const zip = zipStore(files, new Date(2026, 11, 2, 12, 0, 0));
  const back = parse(zip);
  assert.deepEqual(back.map((f) => f.name), files.map((f) => f.name));
  back.forEach((f, i) => assert.deepEqual([...f.data], [...files[i].data]));
  assert.equal(zip.length, files.reduce((s, f) => s + 30 + 46 + 2 * bytes(f.name).length + f.data.length, 22));
});

test('an empty archive is just the end record', () => {
  const zip = zipStore([]);
  assert.equal(zip.length, 22);
  assert.deepEqual(parse(zip), []);
});

test('too many files for a plain ZIP is refused', () => {
  const files = Array.from({ length: 0x10000 }, (_, i) => ({ name: String(i), data: new Uint8Array(0) }));
  assert.throws(() => zipStore(files), RangeError);
});

// tests/test_zip_archive.py runs this file with ZIP_OUT set: the archive for Python's zipfile.
if (process.env.ZIP_OUT) {
  test('write an archive for Python to read', () => {
    const files = JSON.parse(process.env.ZIP_FILES).map(([name, text]) => ({ name, data: bytes(text) }));
    writeFileSync(process.env.ZIP_OUT, zipStore(files));
  });
}
