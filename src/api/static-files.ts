// Owns serving the renderer's built files (renderer/dist) to both transports. Only files inside that folder
// are ever read: a path that resolves elsewhere (../, encoded slashes, absolute) is a 404, not a file.
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};

export function staticFiles(root: string): (pathname: string) => Promise<Response | undefined> {
  const base = resolve(root);
  return async (pathname) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0')) return undefined;
    const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
    const file = resolve(base, relative);
    if (file !== base && !file.startsWith(base + sep)) return undefined;
    try {
      const body = await readFile(file);
      return new Response(body, {
        headers: {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'cache-control': extname(file) === '.html' ? 'no-cache' : 'max-age=3600',
        },
      });
    } catch {
      return undefined;
    }
  };
}
