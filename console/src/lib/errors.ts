// Turning API failures into words for people: the error's name and message from the SDK, a plain sentence for the
// authentication failures, and for forms, which field a validation message is about (the path in "at '<path>'",
// or the member a message starts with), so the message can be shown next to that field.

export interface ApiFailure {
  name: string;
  message: string;
  status?: number;
}

export function failureOf(err: unknown): ApiFailure {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? 'Error';
  const status = e?.$metadata?.httpStatusCode;
  if (name === 'TypeError' && /fetch/i.test(e.message ?? '')) {
    return { name: 'NetworkError', message: `openivs at ${location.origin} cannot be reached.` };
  }
  return { name, message: e?.message ?? String(err), status };
}

export function describe(err: unknown): string {
  const f = failureOf(err);
  switch (f.name) {
    case 'UnrecognizedClientException':
      return 'Unknown access key ID: this openivs has no credential with that access key ID.';
    case 'InvalidSignatureException':
    case 'SignatureDoesNotMatch':
      return 'Wrong secret access key: the request signature does not match the access key ID.';
    case 'MissingAuthenticationTokenException':
      return 'Not signed in.';
    default:
      return `${f.name}: ${f.message}`;
  }
}

export const isAuthFailure = (err: unknown) =>
  ['UnrecognizedClientException', 'InvalidSignatureException', 'SignatureDoesNotMatch'].includes(failureOf(err).name);

/** Field-level placement of an error message: { field: message } or { '': message } for the form as a whole. */
export function fieldErrors(err: unknown, fields: readonly string[], aliases: Record<string, string> = {}): Record<string, string> {
  const f = failureOf(err);
  const text = f.name === 'ValidationException' || f.name === 'ResourceNotFoundException' || f.name === 'ConflictException'
    ? f.message : describe(err);
  const at = /at '([A-Za-z0-9]+)/.exec(text)?.[1];
  if (at && fields.includes(at)) return { [at]: text };
  const required = /^[A-Za-z]+\.([A-Za-z0-9]+)/.exec(text)?.[1];
  if (required && fields.includes(required)) return { [required]: text };
  const lower = text.toLowerCase();
  for (const [phrase, field] of Object.entries(aliases)) if (lower.includes(phrase.toLowerCase())) return { [field]: text };
  const mentioned = fields.find((field) => new RegExp(`\\b${field}\\b`).test(text));
  return mentioned ? { [mentioned]: text } : { '': text };
}
