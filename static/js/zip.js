/**
 * A minimal ZIP writer: store only (no compression: the PNG frames it holds are compressed
 * already), CRC-32 of each file, no ZIP64 (so under 4 GiB and 65,535 files, far beyond a
 * recording's frames). Enough for the recorder's PNG sequence to be one download that every
 * unzip tool, Windows' Explorer and Python's zipfile open. Pure: no DOM (the caller makes a Blob).
 *
 * Layout (PKWARE APPNOTE 6.3): per file a local header (30 bytes + name) and its bytes; then a
 * central directory entry per file (46 bytes + name); then the end record (22 bytes).
 */

/** CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320): the lookup table of every byte. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * The CRC-32 of some bytes (what ZIP, PNG and gzip store).
 * @param {Uint8Array} bytes
 * @param {number} [crc] the CRC so far, to continue over several pieces
 * @returns {number} unsigned 32-bit
 */
export function crc32(bytes, crc = 0) {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** Most files and bytes a plain (not ZIP64) archive can hold. */
export const MAX_FILES = 0xffff;
export const MAX_BYTES = 0xffffffff;

/**
 * A date and time in MS-DOS form (2-second resolution, local time, years 1980–2107).
 * @param {Date} date
 * @returns {{time: number, date: number}}
 */
export function dosDateTime(date) {
  const year = Math.min(2107, Math.max(1980, date.getFullYear()));
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

/**
 * Build a ZIP archive of files stored as they are.
 * @param {{name: string, data: Uint8Array}[]} files names are UTF-8 (flag bit 11 set), '/' for folders
 * @param {Date} [date] every file's modification time
 * @returns {Uint8Array} the archive's bytes
 */
export function zipStore(files, date = new Date()) {
  if (files.length > MAX_FILES) throw new RangeError(`a ZIP without ZIP64 holds at most ${MAX_FILES} files`);
  const { time, date: day } = dosDateTime(date);
  const encoder = new TextEncoder();
  const entries = files.map(({ name, data }) => ({ name: encoder.encode(name), data, crc: crc32(data) }));
  const localSize = entries.reduce((sum, e) => sum + 30 + e.name.length + e.data.length, 0);
  const centralSize = entries.reduce((sum, e) => sum + 46 + e.name.length, 0);
  const total = localSize + centralSize + 22;
  if (total > MAX_BYTES) throw new RangeError('a ZIP without ZIP64 is under 4 GiB');
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let p = 0;
  const u16 = (v) => { view.setUint16(p, v, true); p += 2; };
  const u32 = (v) => { view.setUint32(p, v, true); p += 4; };
  /** What the local header and the central entry share: version needed … name length. */
  const common = (e) => {
    u16(20); // version needed to extract: 2.0
    u16(0x0800); // flags: names in UTF-8
    u16(0); // method: stored
    u16(time);
    u16(day);
    u32(e.crc);
    u32(e.data.length); // compressed size (stored: the same)
    u32(e.data.length);
    u16(e.name.length);
  };
  for (const e of entries) {
    e.offset = p;
    u32(0x04034b50);
    common(e);
    u16(0); // extra field length
    out.set(e.name, p);
    p += e.name.length;
    out.set(e.data, p);
    p += e.data.length;
  }
  const centralStart = p;
  for (const e of entries) {
    u32(0x02014b50);
    u16(20); // version made by: 2.0, MS-DOS attributes
    common(e);
    u16(0); // extra field length
    u16(0); // comment length
    u16(0); // disk number
    u16(0); // internal attributes
    u32(0); // external attributes
    u32(e.offset);
    out.set(e.name, p);
    p += e.name.length;
  }
  const centralLength = p - centralStart;
  u32(0x06054b50);
  u16(0); // this disk
  u16(0); // the central directory's disk
  u16(entries.length);
  u16(entries.length);
  u32(centralLength);
  u32(centralStart);
  u16(0); // comment length
  return out;
}
