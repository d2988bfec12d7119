// PutMetadata payloads at IVS's limit: exactly 1024 bytes of UTF-8 mixing 1-, 2-, 3- and 4-byte characters (a
// 4-byte one is a surrogate pair in JavaScript), unique per call so a test never matches an earlier tag.

const MAX_BYTES = 1024;
const FILL = ['é', '€', '😀', 'ü', 'あ', 'ß', '✓', '🎥'];

export function utf8Payload(label: string): string {
  let text = `openivs ${label} ${Math.random().toString(36).slice(2, 10)} `;
  for (let i = 0; ; i++) {
    const next = FILL[i % FILL.length]!;
    if (Buffer.byteLength(text + next, 'utf8') > MAX_BYTES) break;
    text += next;
  }
  // Top up with ASCII to exactly the limit.
  text += 'x'.repeat(MAX_BYTES - Buffer.byteLength(text, 'utf8'));
  if (Buffer.byteLength(text, 'utf8') !== MAX_BYTES) throw new Error('payload is not 1024 bytes');
  return text;
}
