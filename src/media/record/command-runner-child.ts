// The command helper's entry point (forked by CommandRunner): runs each requested command with runCommand and
// answers over the IPC channel. When the channel closes (the server exited, or was killed) it kills what it still
// runs and exits, so neither the helper nor its ffmpeg outlives the server.

import { killRunning, runCommand, type RunRequest, type RunResponse } from './command-runner.js';

const send = process.send?.bind(process) as ((msg: RunResponse) => boolean) | undefined;
if (!send) {
  process.stderr.write('command-runner-child: must be started by CommandRunner (no IPC channel)\n');
  process.exit(2);
}

process.on('message', (req: RunRequest) => {
  void runCommand(req.file, req.args, req.opts).then((result) => {
    if (process.connected) send({ id: req.id, result });
  });
});

process.once('disconnect', () => {
  killRunning();
  process.exit(0);
});
