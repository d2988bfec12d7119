// Mutations of a SigV4-signed request, applied after signing, each saying whether the server must
// refuse the result (anything signed changed: signature, scope, date, payload, host, method, path,
// query, or the claim made unusable) or may accept it (changes SigV4 tolerates: part order, spacing,
// name case, unsigned headers). Picked by index and variant so a fast-check seed replays them.

import type { SignOptions } from './http.js';

export interface SignedParts {
  method: string;
  path: string;
  /** Decoded query parameters (presigned requests carry the X-Amz-* ones). */
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[]>;
  body: Buffer | undefined;
  /** The signature the client computed (hex), for the no-echo check. */
  signature: string;
}

export interface Mutated {
  parts: SignedParts;
  what: string;
  mustRefuse: boolean;
}

interface Context {
  /** Signs the same request again with other credentials or another date. */
  resign: (opts: SignOptions) => Promise<SignedParts>;
}

type Mutation = (p: SignedParts, v: number, ctx: Context) => Promise<[string, boolean]> | [string, boolean];

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length]!;
const isPresigned = (p: SignedParts) => p.query['X-Amz-Signature'] !== undefined;

/** Rewrites the Authorization header (header-signed requests) or the named presign parameter. */
function authorization(p: SignedParts): string {
  return String(p.headers.authorization ?? '');
}

function editCredential(p: SignedParts, index: number, value: string): void {
  if (isPresigned(p)) {
    const parts = String(p.query['X-Amz-Credential']).split('/');
    parts[index] = value;
    p.query['X-Amz-Credential'] = parts.join('/');
  } else {
    p.headers.authorization = authorization(p).replace(/Credential=([^,]*)/, (_, cred: string) => {
      const parts = cred.split('/');
      parts[index] = value;
      return `Credential=${parts.join('/')}`;
    });
  }
}

function editSignedHeaders(p: SignedParts, edit: (list: string) => string): void {
  if (isPresigned(p)) p.query['X-Amz-SignedHeaders'] = edit(String(p.query['X-Amz-SignedHeaders']));
  else
    p.headers.authorization = authorization(p).replace(
      /SignedHeaders=([^,]*)/,
      (_, list: string) => `SignedHeaders=${edit(list)}`,
    );
}

function editSignature(p: SignedParts, edit: (sig: string) => string): void {
  if (isPresigned(p)) p.query['X-Amz-Signature'] = edit(String(p.query['X-Amz-Signature']));
  else p.headers.authorization = authorization(p).replace(/Signature=([0-9a-f]*)/, (_, sig: string) => `Signature=${edit(sig)}`);
}

const MUTATIONS: Mutation[] = [
  () => ['unchanged', false],
  (p, v) => {
    const flip = (sig: string) => {
      const i = v % sig.length;
      return `${sig.slice(0, i)}${sig[i] === '0' ? '1' : '0'}${sig.slice(i + 1)}`;
    };
    const edits = [
      flip,
      (s: string) => s.slice(0, -1),
      (s: string) => `${s}0`,
      (s: string) => s.toUpperCase(),
      () => '',
      () => 'g'.repeat(64),
      () => 'ä'.repeat(64),
      () => '0'.repeat(10_000),
      (s: string) => ` ${s}`,
    ];
    editSignature(p, pick(edits, v));
    return [`signature edit ${v % edits.length}`, v % edits.length !== 8 || isPresigned(p)];
  },
  (p, v) => {
    const index = v % 5;
    const values = [
      ['AKIDUNKNOWN', '', 'test ', 'x'.repeat(5000), 'tést', 'TEST'],
      ['20200101', '', '2026-11-26', '99991231', '2026113'],
      ['us-east-1', '', 'US-WEST-2', '../../x', 'r'.repeat(80), 'us-west-2 '],
      ['s3', 'IVS', '', 'ivs2'],
      ['aws4_request2', '', 'AWS4_REQUEST'],
    ][index]!;
    const value = pick(values, Math.floor(v / 5));
    editCredential(p, index, value);
    return [`credential[${index}]=${value.slice(0, 20)}`, true];
  },
  (p, v) => {
    const edits: [string, (l: string) => string, boolean][] = [
      [
        'drop host',
        (l) =>
          l
            .split(';')
            .filter((h) => h !== 'host')
            .join(';'),
        true,
      ],
      ['add absent header', (l) => `${l};x-not-sent`, true],
      ['upper case', (l) => l.toUpperCase(), false],
      ['duplicate', (l) => `${l};${l}`, false],
      ['empty', () => '', true],
      ['empty entries', (l) => `;${l};;`, true],
      ['500 entries', (l) => `${l};${Array.from({ length: 500 }, (_, i) => `x-h${i}`).join(';')}`, true],
      ['reversed', (l) => l.split(';').reverse().join(';'), false],
    ];
    const [name, edit, refuse] = pick(edits, v);
    editSignedHeaders(p, edit);
    return [`signed headers: ${name}`, refuse];
  },
  (p, v) => {
    if (isPresigned(p)) {
      const algos = ['AWS4-HMAC-SHA512', 'aws4-hmac-sha256', '', 'AWS4-ECDSA-P256-SHA256'];
      p.query['X-Amz-Algorithm'] = pick(algos, v);
      return [`algorithm ${pick(algos, v)}`, true];
    }
    const rewrites: [string, (a: string) => string, boolean][] = [
      ['algorithm SHA512', (a) => a.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512'), true],
      ['algorithm lower case', (a) => a.replace('AWS4-HMAC-SHA256', 'aws4-hmac-sha256'), true],
      ['bearer', () => 'Bearer abc.def.ghi', true],
      ['empty', () => '', true],
      [
        'parts reordered',
        (a) => {
          const [algo, rest] = [a.slice(0, a.indexOf(' ')), a.slice(a.indexOf(' ') + 1)];
          return `${algo} ${rest.split(', ').reverse().join(', ')}`;
        },
        false,
      ],
      ['no spaces after commas', (a) => a.replace(/, /g, ','), false],
      ['trailing comma', (a) => `${a},`, false],
      ['a part without =', (a) => a.replace('SignedHeaders=', 'SignedHeaders'), true],
      ['Credential twice, wrong last', (a) => `${a}, Credential=AKIDOTHER/20200101/us-west-2/ivs/aws4_request`, true],
      ['20 KB header', (a) => `${a}, Pad=${'p'.repeat(20_000)}`, true],
      ['unknown extra part', (a) => `${a}, Extra=1`, false],
      ['two algorithms', (a) => `AWS4-HMAC-SHA256 ${a}`, true],
    ];
    const [name, rewrite, refuse] = pick(rewrites, v);
    p.headers.authorization = rewrite(authorization(p));
    return [`authorization: ${name}`, refuse];
  },
  (p, v) => {
    const values = [
      '',
      '2026-11-26T10:31:00Z',
      '20261126T103100.000Z',
      '20261331T000000Z',
      '20261126T2531',
      '٢٠٢٦١١٢٦T103100Z',
      '19700101T000000Z',
      '99991231T235959Z',
    ];
    const value = pick(values, v);
    if (isPresigned(p)) p.query['X-Amz-Date'] = value;
    else if (v % 9 === 8) {
      delete p.headers['x-amz-date'];
      p.headers.date = 'Thu, 26 Nov 2026 10:31:00 GMT';
      return ['x-amz-date replaced by a Date header', true];
    } else p.headers['x-amz-date'] = value;
    return [`date ${value}`, true];
  },
  (p, v) => {
    const hashes = [
      '0'.repeat(64),
      'UNSIGNED-PAYLOAD',
      'not-a-hash',
      'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855',
    ];
    p.headers['x-amz-content-sha256'] = pick(hashes, v);
    return [`x-amz-content-sha256 ${pick(hashes, v)}`, true];
  },
  (p, v) => {
    const edits: [string, () => void][] = [
      [
        'body changed',
        () => {
          p.body = Buffer.concat([p.body ?? Buffer.alloc(0), Buffer.from(' ')]);
        },
      ],
      [
        'host changed',
        () => {
          p.headers.host = 'evil.example';
        },
      ],
      [
        'method changed',
        () => {
          p.method = p.method === 'POST' ? 'PUT' : 'POST';
        },
      ],
      [
        'path changed',
        () => {
          p.path = `${p.path}x`;
        },
      ],
      [
        'query parameter added',
        () => {
          p.query.extra = '1';
        },
      ],
      [
        'signed header (presigned: the list of them) removed',
        () => {
          // Node's client would put back a missing Host, so a presigned request loses its list instead.
          if (isPresigned(p)) delete p.query['X-Amz-SignedHeaders'];
          else delete p.headers['x-amz-date'];
        },
      ],
    ];
    const [name, edit] = pick(edits, v);
    edit();
    return [name, true];
  },
  (p, v) => {
    const extras = [{ 'x-unsigned': 'fine' }, { 'user-agent': 'fuzzer' }, { 'x-amz-security-token': 'abc' }];
    Object.assign(p.headers, pick(extras, v));
    return [`unsigned header ${Object.keys(pick(extras, v))[0]}`, false];
  },
  (p, v) => {
    if (!isPresigned(p)) {
      p.headers.authorization = [authorization(p), authorization(p)];
      return ['Authorization header twice', true];
    }
    const edits: [string, () => void, boolean][] = [
      [
        'expires 0',
        () => {
          p.query['X-Amz-Expires'] = '0';
        },
        true,
      ],
      [
        'expires -1',
        () => {
          p.query['X-Amz-Expires'] = '-1';
        },
        true,
      ],
      [
        'expires over a week',
        () => {
          p.query['X-Amz-Expires'] = '604801';
        },
        true,
      ],
      [
        'expires huge',
        () => {
          p.query['X-Amz-Expires'] = '9'.repeat(40);
        },
        true,
      ],
      [
        'expires 1.5',
        () => {
          p.query['X-Amz-Expires'] = '1.5';
        },
        true,
      ],
      [
        'signature twice',
        () => {
          p.query['X-Amz-Signature'] = [String(p.query['X-Amz-Signature']), String(p.query['X-Amz-Signature'])];
        },
        false,
      ],
      [
        'credential missing',
        () => {
          delete p.query['X-Amz-Credential'];
        },
        true,
      ],
      [
        'also an Authorization header',
        () => {
          p.headers.authorization =
            'AWS4-HMAC-SHA256 Credential=test/20200101/us-west-2/ivs/aws4_request, SignedHeaders=host, Signature=00';
        },
        true,
      ],
    ];
    const [name, edit, refuse] = pick(edits, v);
    edit();
    return [`presign: ${name}`, refuse];
  },
  async (p, v, ctx) => {
    const options: [string, SignOptions, boolean][] = [
      ['wrong secret', { secretAccessKey: 'not-the-secret' }, true],
      ['unknown key', { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' }, true],
      ['signed 6 min ahead', { signingDate: new Date(Date.now() + 6 * 60_000) }, true],
      ['signed 6 min ago', { signingDate: new Date(Date.now() - 6 * 60_000) }, true], // presigned: expired after 5 min
      ['signed 4 min ahead', { signingDate: new Date(Date.now() + 4 * 60_000) }, false],
      ['signed for another region', { region: 'eu-west-1' }, false],
      ['signed for another service', { service: 's3' }, true],
    ];
    const [name, opts, refuse] = pick(options, v);
    Object.assign(p, await ctx.resign(opts));
    return [name, refuse];
  },
];

export const SIGV4_MUTATIONS = MUTATIONS.length;

export async function mutateSigned(parts: SignedParts, index: number, variant: number, ctx: Context): Promise<Mutated> {
  const copy: SignedParts = { ...parts, query: { ...parts.query }, headers: { ...parts.headers } };
  const [what, mustRefuse] = await MUTATIONS[index % MUTATIONS.length]!(copy, variant, ctx);
  return { parts: copy, what, mustRefuse };
}
