// Public surface of SRT ingest for the wiring step (app.ts): the listener, its connections, the bridge into the
// publish path, and the addon's availability check.

export { loadSrtAddon, SRT_ADDON_PATH, SrtUnavailableError, type SrtStats } from './addon.js';
export { SrtConnection, type SrtCloseReason, type SrtConnectionHandler } from './connection.js';
export {
  SrtListener,
  type SrtListenerHandlers,
  type SrtListenerOptions,
  type SrtRefusal,
  type SrtRefusalReason,
} from './listener.js';
export { endReason, feedPublishSession, srtPublisherHandle } from './publish-bridge.js';
