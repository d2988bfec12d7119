// The service model index: loads the botocore-format JSON once and answers the questions the rest of
// the protocol layer asks (operations, shapes, error statuses). Nothing here is IVS-specific, so the
// same layer could serve another rest-json model.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_MODEL_FILE = 'ivs-2020-07-14.latest.json';

/** A reference from a container shape to another shape, plus where the member travels on the wire. */
export interface ShapeRef {
  shape: string;
  location?: 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
  locationName?: string;
}

export interface Shape {
  type: string;
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  sensitive?: boolean;
  timestampFormat?: string;
  error?: { httpStatusCode?: number; code?: string; senderFault?: boolean };
  exception?: boolean;
}

export interface Operation {
  name: string;
  method: string;
  requestUri: string;
  responseCode: number;
  inputShape?: string;
  outputShape?: string;
  errors: string[];
}

interface RawModel {
  metadata?: Record<string, unknown>;
  operations: Record<
    string,
    {
      name?: string;
      http: { method: string; requestUri: string; responseCode?: number };
      input?: { shape: string };
      output?: { shape: string };
      errors?: { shape: string }[];
    }
  >;
  shapes: Record<string, Shape>;
}

/** Operations are referred to either by object (from the router) or by name (tests, tools). */
export type OperationRef = Operation | string;

export class ServiceModel {
  readonly metadata: Readonly<Record<string, unknown>>;
  private readonly ops = new Map<string, Operation>();
  private readonly shapes = new Map<string, Shape>();
  private readonly errorStatuses = new Map<string, number>();

  constructor(raw: RawModel) {
    this.metadata = raw.metadata ?? {};
    for (const [name, shape] of Object.entries(raw.shapes)) this.shapes.set(name, shape);
    for (const [name, op] of Object.entries(raw.operations)) this.ops.set(name, toOperation(name, op));
    for (const [name, shape] of this.shapes) {
      const status = shape.error?.httpStatusCode;
      if (status === undefined) continue;
      this.errorStatuses.set(name, status);
      // botocore lets an error's wire code differ from its shape name; answer to both.
      if (shape.error?.code) this.errorStatuses.set(shape.error.code, status);
    }
  }

  operationNames(): string[] {
    return [...this.ops.keys()];
  }

  operations(): Operation[] {
    return [...this.ops.values()];
  }

  /** The operation with this name; throws for an unknown name (a programming error, not a client one). */
  operation(ref: OperationRef): Operation {
    if (typeof ref !== 'string') return ref;
    const op = this.ops.get(ref);
    if (!op) throw new Error(`unknown operation in service model: ${ref}`);
    return op;
  }

  hasShape(name: string): boolean {
    return this.shapes.has(name);
  }

  /** The shape with this name; throws when the model references a shape it does not define. */
  shape(name: string): Shape {
    const shape = this.shapes.get(name);
    if (!shape) throw new Error(`unknown shape in service model: ${name}`);
    return shape;
  }

  /** HTTP status of an error shape (`error.httpStatusCode`), undefined if the model has no such error. */
  errorStatus(errorShapeName: string): number | undefined {
    return this.errorStatuses.get(errorShapeName);
  }
}

function toOperation(name: string, op: RawModel['operations'][string]): Operation {
  return {
    name: op.name ?? name,
    method: op.http.method.toUpperCase(),
    requestUri: op.http.requestUri,
    responseCode: op.http.responseCode ?? 200,
    inputShape: op.input?.shape,
    outputShape: op.output?.shape,
    errors: (op.errors ?? []).map((e) => e.shape),
  };
}

/**
 * Loads and indexes a model file. Without a path, finds `model/<DEFAULT_MODEL_FILE>` by walking up from
 * this file: compiled code runs from `dist/src/api/protocol/`, sources from `src/api/protocol/`, and an
 * installed package keeps `model/` beside `dist/`, so a fixed `../../../..` would break in one of them.
 */
export function loadServiceModel(path?: string): ServiceModel {
  const file = path ?? findDefaultModel();
  const raw = JSON.parse(readFileSync(file, 'utf8')) as RawModel;
  if (!raw || typeof raw !== 'object' || !raw.operations || !raw.shapes) {
    throw new Error(`not a botocore service model: ${file}`);
  }
  return new ServiceModel(raw);
}

function findDefaultModel(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'model', DEFAULT_MODEL_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = resolve(dir, '..');
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(
    `service model ${DEFAULT_MODEL_FILE} not found in any model/ directory above ${fileURLToPath(import.meta.url)}`,
  );
}
