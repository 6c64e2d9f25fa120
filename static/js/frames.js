/**
 * Decoding the server's binary messages (app/frames.py): magic "NNPF", uint32 LE header length,
 * a JSON header, then 4-byte-aligned blobs whose offsets count from the message start.
 * Decoded once here; every view reads the typed arrays without copying.
 */

const MAGIC = 'NNPF';
const TEXT = new TextDecoder();
const TYPES = { uint8: Uint8Array, float32: Float32Array };

/**
 * Decode one binary message.
 * @param {ArrayBuffer} buffer the WebSocket message
 * @returns {{header: object, blobs: Object<string, {data: Uint8Array|Float32Array, meta: object}>}}
 */
export function decodeFrame(buffer) {
  const bytes = new Uint8Array(buffer);
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== MAGIC) throw new Error('not an nnplay frame');
  const length = new DataView(buffer).getUint32(4, true);
  const header = JSON.parse(TEXT.decode(bytes.subarray(8, 8 + length)));
  const blobs = {};
  for (const meta of header.blobs || []) {
    const Type = TYPES[meta.dtype];
    const data = new Type(buffer, meta.offset, meta.length / Type.BYTES_PER_ELEMENT);
    blobs[meta.name] = { data, meta };
  }
  return { header, blobs };
}

/**
 * Split the flat parameter vector (W1..WL then b1..bL, C order) into matrices.
 * @param {Float32Array} theta
 * @param {number[]} dims layer_dims [n_x, n1, ..., nL]
 * @returns {{W: Float32Array[], b: Float32Array[]}} W[l-1] is (n[l], n[l-1]) row-major
 */
export function splitParameters(theta, dims) {
  const W = [];
  const b = [];
  let offset = 0;
  for (let l = 1; l < dims.length; l++) {
    const size = dims[l] * dims[l - 1];
    W.push(theta.subarray(offset, offset + size));
    offset += size;
  }
  for (let l = 1; l < dims.length; l++) {
    b.push(theta.subarray(offset, offset + dims[l]));
    offset += dims[l];
  }
  return { W, b };
}
