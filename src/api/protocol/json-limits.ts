// Bounds on the shape of a JSON request body, checked by one linear byte scan before JSON.parse. The
// body size alone does not bound the parse: within 1 MiB, half a million nested brackets take V8
// ~300 ms and 90,000 object keys ~100 ms, a stall every other client would feel. No IVS request
// comes near these limits (the model nests five levels deep; its largest inputs hold a few hundred
// values), and the nesting limit is the default of Jackson, the JSON reader of AWS's Java stack.

export const MAX_JSON_DEPTH = 1000;
export const MAX_JSON_VALUES = 10_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/**
 * Why the body is over a limit, or undefined when it is within them. Containers and commas are
 * counted outside strings only; malformed JSON is left for JSON.parse to report.
 */
export function jsonLimitProblem(body: Uint8Array): string | undefined {
  let depth = 0;
  let values = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === BACKSLASH)
        i++; // the escaped byte cannot end the string
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > MAX_JSON_DEPTH) return `JSON nesting deeper than ${MAX_JSON_DEPTH} levels`;
      if (++values > MAX_JSON_VALUES) return `more than ${MAX_JSON_VALUES} JSON values`;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    } else if (c === COMMA && ++values > MAX_JSON_VALUES) {
      return `more than ${MAX_JSON_VALUES} JSON values`;
    }
  }
  return undefined;
}
