// Maps an HTTP method and raw (still percent-encoded) path to a model operation and its URI labels.
// Label-free routes (every IVS operation but the three tag ones) resolve through one Map lookup, since
// this runs on every request; templated routes fall back to a short list of precompiled regexes.
import type { Operation, ServiceModel } from './model.js';

export interface RouteMatch {
  operation: Operation;
  /** URI labels, percent-decoded once. */
  labels: Record<string, string>;
}

export interface Router {
  route(method: string, rawPath: string): RouteMatch | undefined;
}

interface TemplateRoute {
  method: string;
  regex: RegExp;
  labelNames: string[];
  operation: Operation;
}

export function createRouter(model: ServiceModel): Router {
  const exact = new Map<string, Operation>();
  const templated: TemplateRoute[] = [];
  for (const op of model.operations()) {
    // The template's own query part (`/x?y`) is a static marker, never part of path matching.
    const template = trimTrailingSlash(op.requestUri.split('?')[0] ?? '/');
    if (template.includes('{')) templated.push(compileTemplate(op, template));
    else exact.set(`${op.method} ${template}`, op);
  }

  return {
    route(method: string, rawPath: string): RouteMatch | undefined {
      const m = method.toUpperCase();
      const path = trimTrailingSlash(rawPath);
      const op = exact.get(`${m} ${path}`);
      if (op) return { operation: op, labels: {} };
      for (const t of templated) {
        if (t.method !== m) continue;
        const match = t.regex.exec(path);
        if (match) return labelsOf(t, match);
      }
      return undefined;
    },
  };
}

function trimTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/**
 * `{name}` matches one segment and `{name+}` (greedy) the rest of the path. The last label is always
 * greedy: clients that forget to encode the `/` inside an ARN (`.../channel/abc`) still route.
 */
function compileTemplate(operation: Operation, template: string): TemplateRoute {
  const labelNames: string[] = [];
  const parts = template.split(/(\{[^}]+\})/);
  const lastLabel = parts.reduce((last, p, i) => (p.startsWith('{') ? i : last), -1);
  const source = parts
    .map((part, i) => {
      if (!part.startsWith('{')) return escapeRegex(part);
      const greedy = part.endsWith('+}') || i === lastLabel;
      labelNames.push(part.slice(1, part.length - (part.endsWith('+}') ? 2 : 1)));
      return greedy ? '(.+)' : '([^/]+)';
    })
    .join('');
  return { method: operation.method, regex: new RegExp(`^${source}$`), labelNames, operation };
}

function labelsOf(route: TemplateRoute, match: RegExpExecArray): RouteMatch | undefined {
  const labels: Record<string, string> = {};
  for (let i = 0; i < route.labelNames.length; i++) {
    const raw = match[i + 1] ?? '';
    try {
      labels[route.labelNames[i]!] = decodeURIComponent(raw);
    } catch {
      // Malformed percent-encoding: no operation can be addressed by this path.
      return undefined;
    }
  }
  return { operation: route.operation, labels };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
