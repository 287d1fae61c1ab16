// Test helper: a real Orthanc (Debian's /usr/sbin/Orthanc with its DICOMweb plugin) on 127.0.0.1, random free
// ports, temporary storage, HTTP basic authentication on. Started in its own process group so stop() ends it
// and anything it spawned. upload() sends Part 10 files through Orthanc's own REST API (POST /instances), not
// through the client under test.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ORTHANC = '/usr/sbin/Orthanc';
export const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export interface OrthancServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The DICOMweb root, e.g. http://127.0.0.1:PORT/dicom-web */
  dicomWebUrl: string;
  user: string;
  password: string;
  storageDir: string;
  process: ChildProcess;
  upload(files: string[]): Promise<void>;
  /** Ends the process group (SIGKILL with `hard`), waits for the exit, removes the storage unless `keep`. */
  stop(options?: { hard?: boolean; keep?: boolean }): Promise<void>;
  /** What Orthanc wrote to stdout/stderr (for a failing test's message). */
  log(): string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function orthancAvailable(): string | undefined {
  if (!existsSync(ORTHANC)) return `${ORTHANC} is missing (Debian package orthanc)`;
  if (!existsSync(DICOMWEB_PLUGIN)) return `${DICOMWEB_PLUGIN} is missing (Debian package orthanc-dicomweb)`;
  return undefined;
}

export async function startOrthanc(options: { storageDir?: string } = {}): Promise<OrthancServer> {
  const storageDir = options.storageDir ?? mkdtempSync(join(tmpdir(), 'overread-orthanc-'));
  const [httpPort, dicomPort] = [await freePort(), await freePort()];
  const user = 'reader';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const config = {
    Name: 'OverreadTest',
    StorageDirectory: join(storageDir, 'db'),
    IndexDirectory: join(storageDir, 'db'),
    HttpPort: httpPort,
    DicomPort: dicomPort,
    DicomAet: 'OVERREADTEST',
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [user]: password },
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/' },
    HttpTimeout: 60,
    // Keep the stored files exactly as sent, so a retrieve can be compared byte for byte.
    StorageCompression: false,
    OverwriteInstances: true,
  };
  const configFile = join(storageDir, 'orthanc.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const child = spawn(ORTHANC, [configFile], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output = (output + chunk).slice(-20000)));
  child.stderr!.on('data', (chunk) => (output = (output + chunk).slice(-20000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${httpPort}`;
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  const stop = async ({ hard = false, keep = false } = {}) => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, hard ? 'SIGKILL' : 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    }
    if (!keep) rmSync(storageDir, { recursive: true, force: true });
  };

  // Wait for the REST API (the DICOMweb plugin is loaded before the HTTP server starts).
  const deadline = Date.now() + 20000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Orthanc exited at start-up:\n${output}`);
    try {
      const response = await fetch(`${url}/system`, { headers: { authorization } });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Orthanc did not answer on ${url} within 20 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    url,
    dicomWebUrl: `${url}/dicom-web`,
    user,
    password,
    storageDir,
    process: child,
    async upload(files) {
      for (const file of files) {
        const response = await fetch(`${url}/instances`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/dicom' },
          body: readFileSync(file),
        });
        if (!response.ok)
          throw new Error(`Orthanc refused ${file}: ${response.status} ${await response.text()}`);
      }
    },
    stop,
    log: () => output,
  };
}
