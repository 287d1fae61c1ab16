// Owns access control for `overread serve`, the HTTP transport of the API (the Electron app opens no port):
// like Jupyter, a per-run random token is required on every request — as `Authorization: Bearer …`, as the
// HttpOnly cookie the page receives in exchange for `?token=…`, or as that query parameter itself — and the
// Host header must name the loopback address we bound, so a DNS-rebinding page cannot reach the API.
import { timingSafeEqual, randomBytes } from 'node:crypto';
import { problemResponse } from './problem.ts';

export const TOKEN_COOKIE = 'overread_token';

export interface ServeGuardOptions {
  token: string;
  port: number;
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

function sameToken(given: string | null | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(request: Request): string | undefined {
  const cookies = request.headers.get('cookie') ?? '';
  for (const part of cookies.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return value.join('=');
  }
  return undefined;
}

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

/**
 * Wraps a handler with the token and Host checks. Returns the handler's response, a 303 that trades a
 * `?token=` for a cookie, or a problem response (403 wrong Host, 401 missing or wrong token).
 */
export function guardServe(
  handler: (request: Request) => Promise<Response>,
  options: ServeGuardOptions,
): (request: Request) => Promise<Response> {
  const hosts = allowedHosts(options.port);
  return async (request) => {
    const host = request.headers.get('host') ?? '';
    if (!hosts.has(host)) {
      return problemResponse(
        403,
        'Forbidden host',
        `Host "${host}" is not this server's loopback address; open the URL that \`overread serve\` printed`,
      );
    }
    const url = new URL(request.url);
    const bearer = request.headers.get('authorization')?.match(/^Bearer (.+)$/)?.[1];
    const query = url.searchParams.get('token');
    if (sameToken(bearer, options.token) || sameToken(cookieToken(request), options.token)) {
      return handler(request);
    }
    if (sameToken(query, options.token)) {
      const cookie = `${TOKEN_COOKIE}=${options.token}; HttpOnly; SameSite=Strict; Path=/`;
      if (request.method === 'GET' && !url.pathname.startsWith('/api/')) {
        // A page load: trade the token for a cookie and drop it from the address bar (and from history).
        url.searchParams.delete('token');
        return new Response(null, {
          status: 303,
          headers: {
            location: url.pathname + url.search,
            'set-cookie': cookie,
            'referrer-policy': 'no-referrer',
          },
        });
      }
      const response = await handler(request);
      const copy = new Response(response.body, response);
      copy.headers.append('set-cookie', cookie);
      return copy;
    }
    return problemResponse(
      401,
      'Token required',
      'this server needs the token printed by `overread serve`: open the printed URL, or send Authorization: Bearer <token>',
    );
  };
}
