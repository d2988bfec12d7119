// CRC-32/MPEG-2 for PSI sections (PAT/PMT): polynomial 0x04C11DB7, MSB first, init 0xFFFFFFFF, no final XOR.
// Decoders discard sections whose CRC does not match, so a wrong CRC means "no program" to every player.

const TABLE = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
}

/** CRC over `data[start, end)`. Running it over a section including its trailing CRC yields 0 when valid. */
export function crc32Mpeg2(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = ((crc << 8) ^ TABLE[((crc >>> 24) ^ data[i]!) & 0xff]!) >>> 0;
  return crc >>> 0;
}
