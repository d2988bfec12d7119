// Private keys as users have them: PKCS#8 (`BEGIN PRIVATE KEY`, what jose imports) or SEC1 (`BEGIN EC PRIVATE KEY`,
// what `openssl ecparam -genkey` writes). A SEC1 P-384 key is wrapped into PKCS#8 here, in the browser.

const EC_PUBLIC_KEY_OID = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const SECP384R1_OID = [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

const der = (tag: number, content: number[]) => [tag, ...derLength(content.length), ...content];

function base64Body(pem: string, label: string): Uint8Array | undefined {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`).exec(pem);
  if (!m) return undefined;
  const bin = atob(m[1]!.replace(/\s+/g, ''));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function toPem(bytes: number[], label: string): string {
  const b64 = btoa(String.fromCharCode(...bytes));
  return `-----BEGIN ${label}-----\n${b64.replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`;
}

/** A PKCS#8 PEM for jose's importPKCS8; throws with a plain message for anything else. */
export function pkcs8Pem(pem: string): string {
  if (pem.includes('-----BEGIN PRIVATE KEY-----')) return pem.trim();
  const sec1 = base64Body(pem, 'EC PRIVATE KEY');
  if (sec1 === undefined) throw new Error('Paste a PEM private key (BEGIN PRIVATE KEY or BEGIN EC PRIVATE KEY).');
  const algorithm = der(0x30, [...EC_PUBLIC_KEY_OID, ...SECP384R1_OID]);
  return toPem(der(0x30, [0x02, 0x01, 0x00, ...algorithm, ...der(0x04, [...sec1])]), 'PRIVATE KEY');
}
