// Owns starting the model process as a Node child process (serve and CLI). From source the entry is a .ts
// file, so the child gets tsx's loader; from a build it is plain .js.
import { fork } from 'node:child_process';
import { extname } from 'node:path';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FromModelProcess } from './model-host.ts';
import { ProcessModelHost, type ModelProcess, type ProcessModelHostOptions } from './process-model-host.ts';

export function forkModelProcess(): ModelProcess {
  const extension = extname(fileURLToPath(import.meta.url));
  const entry = fileURLToPath(new URL(`./inference-child${extension}`, import.meta.url));
  const child = fork(entry, [], {
    execArgv: extension === '.ts' ? ['--import', import.meta.resolve('tsx')] : [],
    serialization: 'advanced',
    // stdout stays clean for the CLI's own output; onnxruntime's errors still reach stderr. fd 4 carries the
    // voxels' raw bytes (BulkVoxels): the IPC channel's structured-clone messages cost more to decode.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc', 'pipe'],
  });
  const bulk = child.stdio[4] as Writable;
  // A process that died mid-write is reported by 'exit'; the broken pipe itself is not news.
  bulk.on('error', () => undefined);
  const exitHandlers: ((how: string) => void)[] = [];
  let exited = false;
  const exit = (how: string) => {
    if (exited) return;
    exited = true;
    for (const handler of exitHandlers) handler(how);
  };
  child.on('exit', (code, signal) => exit(signal ? `killed by ${signal}` : `exit code ${code}`));
  child.on('error', (error) => exit(`could not start: ${error.message}`));
  return {
    get pid() {
      return child.pid;
    },
    send(message) {
      if (!child.connected) throw new Error('the model process is not connected');
      child.send(message);
    },
    sendBulk(bytes) {
      if (!child.connected) throw new Error('the model process is not connected');
      bulk.write(bytes);
    },
    onMessage(handler) {
      child.on('message', (message) => handler(message as FromModelProcess));
    },
    onExit(handler) {
      if (exited) handler('already exited');
      else exitHandlers.push(handler);
    },
    kill() {
      if (!exited) child.kill('SIGKILL');
    },
  };
}

/** A ModelHost whose models run in a Node child process. */
export function createChildProcessModelHost(options: ProcessModelHostOptions = {}): ProcessModelHost {
  return new ProcessModelHost(forkModelProcess, options);
}
