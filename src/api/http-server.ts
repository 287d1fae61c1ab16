// Mounts the API handler on 127.0.0.1 for `overread serve` — loopback only, never 0.0.0.0 — behind the
// token and Host guard. The Electron app does not use this: it serves the same handler over app://.
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { guardServe, newToken } from './serve-guard.ts';

export const LOOPBACK = '127.0.0.1';

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export async function startHttpServer(
  handler: (request: Request) => Promise<Response>,
  options: { port?: number; token?: string } = {},
): Promise<RunningServer> {
  const token = options.token ?? newToken();
  // Filled in once listening: the port is only known then, and requests cannot arrive before.
  const guard: { fetch?: (request: Request) => Promise<Response> } = {};
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve(
      { fetch: (request: Request) => guard.fetch!(request), port: options.port ?? 0, hostname: LOOPBACK },
      () => resolve(s),
    );
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  guard.fetch = guardServe(handler, { token, port });
  return {
    url: `http://${LOOPBACK}:${port}/?token=${token}`,
    port,
    token,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
