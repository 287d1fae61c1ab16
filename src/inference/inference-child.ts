// Entry point of the model process when it is a Node child process (child_process.fork, IPC with advanced
// serialisation so typed arrays cross without JSON). Electron's utilityProcess gets its own small entry.
import { serveModelRuns } from './model-process.ts';
import type { FromModelProcess, ToModelProcess } from './model-host.ts';

const send = process.send?.bind(process);
if (!send) {
  console.error('inference-child: start this file with child_process.fork (it talks over the IPC channel)');
  process.exit(2);
}

serveModelRuns({
  post: (message: FromModelProcess) => send(message),
  onMessage: (handler) => process.on('message', (message) => handler(message as ToModelProcess)),
  // fork's fifth stdio entry (child-process-host.ts): the voxels' raw bytes, read by the pre-processing thread.
  bulkFd: 4,
  // A lost byte channel: the run in flight fails (with the reason, or as a crash if the exit comes first); the
  // next run gets a fresh process.
  end: () => setImmediate(() => process.exit(70)),
});

// The parent went away (closed, crashed or killed): nothing left to serve.
process.on('disconnect', () => process.exit(0));
