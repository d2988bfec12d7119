// Public face of the rest-json protocol layer. The pipeline holds one ProtocolEngine, which bundles
// the model with its router, (de)serializers, validator and error encoder, so a request needs no
// other import from this directory.
import { deserializeInput, type RequestParts } from './deserialize.js';
import { encodeError } from './errors.js';
import { loadServiceModel, type OperationRef, type ServiceModel } from './model.js';
import { createRouter, type RouteMatch, type Router } from './router.js';
import { serializeOutput, type HttpResponse } from './serialize.js';
import { precompileValidators, validateInput } from './validate.js';

export { deserializeInput, parseJsonBody, type RequestParts } from './deserialize.js';
export { encodeError, INTERNAL_ERROR_MESSAGE } from './errors.js';
export {
  DEFAULT_MODEL_FILE,
  loadServiceModel,
  ServiceModel,
  type Operation,
  type OperationRef,
  type Shape,
  type ShapeRef,
} from './model.js';
export { createRouter, type RouteMatch, type Router } from './router.js';
export { formatTimestamp, serializeOutput, stableOutput, type HttpResponse } from './serialize.js';
export { precompileValidators, validateInput } from './validate.js';

export class ProtocolEngine {
  readonly model: ServiceModel;
  private readonly router: Router;

  /** Builds the router and compiles every input validator now, so model problems fail at startup. */
  constructor(model: ServiceModel) {
    this.model = model;
    this.router = createRouter(model);
    precompileValidators(model);
  }

  /** Loads the model file (default: the packaged IVS model) and builds an engine for it. */
  static load(modelPath?: string): ProtocolEngine {
    return new ProtocolEngine(loadServiceModel(modelPath));
  }

  /** `rawPath` without the query string, still percent-encoded. Undefined: no such operation. */
  route(method: string, rawPath: string): RouteMatch | undefined {
    return this.router.route(method, rawPath);
  }

  /** Throws SerializationException (bad body) or ValidationException (bad query/header scalar). */
  deserialize(operation: OperationRef, parts: RequestParts): Record<string, unknown> {
    return deserializeInput(this.model, operation, parts);
  }

  /**
   * Throws ValidationException; otherwise returns the input rebuilt from the model's members only
   * (unknown members and JSON nulls left out).
   */
  validate(operation: OperationRef, input: Record<string, unknown>): Record<string, unknown> {
    return validateInput(this.model, operation, input);
  }

  /** deserialize + validate: the input a handler may trust, holding nothing the model does not define. */
  decode(operation: OperationRef, parts: RequestParts): Record<string, unknown> {
    return this.validate(operation, this.deserialize(operation, parts));
  }

  serialize(operation: OperationRef, output: unknown): HttpResponse {
    return serializeOutput(this.model, operation, output);
  }

  encodeError(err: unknown, requestId: string): HttpResponse {
    return encodeError(this.model, err, requestId);
  }
}
