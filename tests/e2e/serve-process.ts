// Starts `overread serve` as a child process for the end-to-end tests and hands back the printed URL
// (with its per-run token); stopping sends SIGTERM and waits, so the dataset is closed cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServeProcess {
  url: string;
  origin: string;
  token: string;
  stderr: () => string;
  stop(): Promise<void>;
}

export async function startServe(db: string, extra: string[] = []): Promise<ServeProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['bin/overread.js', 'serve', '--db', db, '--port', '0', ...extra],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`overread serve printed no URL in 60 s; stderr:\n${stderr}`)),
      60_000,
    );
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`overread serve exited with ${code} before printing its URL; stderr:\n${stderr}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    stderr: () => stderr,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
