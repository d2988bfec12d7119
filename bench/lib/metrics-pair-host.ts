// One process holding two openivs apps, built as `openivs start` builds its one (src/main.ts: loadConfig, buildApp,
// start): "on" with metrics and "off" with --metrics off, each with its own data dir and ports. bench:metrics loads
// them in turn and compares what a request or a stream costs in each. Both live in the same process, so they share
// its machine code, heap layout and CPU: a comparison between two processes carries a difference of their own (two
// identical servers have differed by 15–17% for their whole life on this machine), which this one does not.
// What metrics run in the background (the event-loop delay monitor, the GC observer) is process-wide, so the parent
// pauses it (Metrics.pause: also the publish-delay observation) while "off" is measured and resumes it for "on", over IPC: `{ cmd: 'pause' | 'resume' | 'stop' }`, each
// answered with `{ ok: cmd }`. The first message sent is the ports: `{ on: BoundPorts, off: BoundPorts }`.
// Args: <on data dir> <off data dir> <quota of channels and concurrent broadcasts>.

import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';

type Command = { cmd: 'pause' | 'resume' | 'stop' };

async function start(dataDir: string, quota: string, metrics: 'on' | 'off'): Promise<App> {
  const args = ['--data-dir', dataDir, '--http-port', '0', '--rtmp-port', '0', '--srt-port', 'off'];
  args.push('--host', '127.0.0.1', '--bind', '127.0.0.1', '--log-level', 'warn', '--allow-insecure-ingest');
  args.push('--metrics', metrics);
  const env = { OPENIVS_QUOTA_CHANNELS: quota, OPENIVS_QUOTA_CONCURRENT_BROADCASTS: quota };
  return buildApp(loadConfig(args, env));
}

async function main(): Promise<void> {
  const [onDir, offDir, quota = '100'] = process.argv.slice(2);
  if (onDir === undefined || offDir === undefined || process.send === undefined)
    throw new Error('usage (forked with IPC): metrics-pair-host <on data dir> <off data dir> [quota]');
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const on = await start(onDir, quota, 'on');
  const off = await start(offDir, quota, 'off');
  const metrics = on.metrics;
  if (metrics === undefined || off.metrics !== undefined) throw new Error('metrics-pair-host: the apps were not built on/off');
  const ports = { on: await on.start(), off: await off.start() };
  process.send(ports);
  process.on('message', (message: Command) => {
    if (message.cmd === 'pause') metrics.pause();
    else if (message.cmd === 'resume') metrics.resume();
    else if (message.cmd === 'stop') {
      void Promise.all([on.stop(), off.stop()]).then(() => {
        process.send!({ ok: 'stop' }, () => process.exit(0));
      });
      return;
    }
    process.send!({ ok: message.cmd });
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
