#!/usr/bin/env -S node --initial-old-space-size=128
// Command line: `openivs start [options]` runs the server in the foreground with embedded defaults.
// Loads and validates the configuration (failing fast with one clear line), builds the app, listens,
// and on SIGINT/SIGTERM drains in-flight work and exits cleanly. The shebang carries the V8 heap flag (heap-flags.ts).

import { buildApp } from './app.js';
import { ConfigError, HELP_TEXT, HelpRequested, loadConfig, securityWarning } from './config/index.js';
import { HEAP_FLAGS, missingHeapFlags } from './heap-flags.js';
import { StoreOpenError } from './storage/errors.js';

const USAGE = 'usage: openivs start [options]   (openivs start --help lists the options)';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n\n${HELP_TEXT}\n`);
    return 0;
  }
  if (command !== 'start') {
    process.stderr.write(`openivs: unknown command ${command === undefined ? '(none)' : JSON.stringify(command)}\n${USAGE}\n`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(rest, process.env);
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(`${HELP_TEXT}\n`);
      return 0;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`openivs: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  // The AWS SDK (S3, EventBridge) warns on stderr that future SDK releases will need Node 22. openivs pins its
  // SDK versions in the lockfile and supports Node 20, so the multi-line warning is noise in the server's log.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const app = await buildApp(config);
  const { httpPort, rtmpPort, rtmpsPort, srtPort, httpsPort } = await app.start();
  const warning = securityWarning(config);
  if (warning) app.log.warn(warning);
  const missing = missingHeapFlags(process.execArgv);
  if (missing.length > 0) {
    app.log.warn(
      { missing, expected: HEAP_FLAGS },
      `node was started without ${missing.join(' ')}: under live load V8 will run full GCs several times a second ` +
        '(start openivs with `npm start` or the `openivs` bin, or pass the flag to node before the script)',
    );
  }
  const consoleUrl = `http://${config.host}:${httpPort}/console/`;
  app.log.info(
    {
      httpPort,
      httpsPort,
      rtmpPort,
      rtmpsPort,
      srtPort,
      bindAddress: config.bindAddress,
      dataDir: config.dataDir,
      console: consoleUrl,
    },
    `openivs ready; console at ${consoleUrl}`,
  );
  await waitForSignal();
  app.log.info('shutting down: draining connections');
  await app.stop();
  app.log.info('stopped');
  return 0;
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A store that cannot be opened (bad database URL, refused connection, …) says why in one line.
    if (err instanceof StoreOpenError) process.stderr.write(`openivs: ${err.message}\n`);
    else process.stderr.write(`openivs: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
