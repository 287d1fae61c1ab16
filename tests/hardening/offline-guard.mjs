// Preloaded (NODE_OPTIONS=--import=…) into every Node process and worker of an offline test run: any
// network connection other than loopback — TCP/TLS connect, DNS lookup of a non-local name, http(s).request,
// fetch, UDP send — is appended to $OVERREAD_OFFLINE_LOG and made to throw, so a test can assert that none
// was attempted. Each process that loaded the guard appends a line to $OVERREAD_OFFLINE_LOG.loaded, which
// shows the guard really ran where the work was done. Plain JavaScript so it needs no loader of its own.
import { appendFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { isMainThread, threadId } from 'node:worker_threads';
import dgram from 'node:dgram';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

const log = process.env.OVERREAD_OFFLINE_LOG;
if (!log) throw new Error('offline-guard.mjs needs OVERREAD_OFFLINE_LOG (the file attempts are recorded in)');
appendFileSync(
  `${log}.loaded`,
  `${process.pid} ${isMainThread ? 'main' : `worker ${threadId}`} ${process.argv.slice(1, 3).join(' ')}\n`,
);

const LOCAL_NAMES = new Set(['localhost', '127.0.0.1', '::1', '']);
function isLoopback(host) {
  if (host === undefined || host === null) return true; // Node's default host is localhost
  const name = String(host)
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return LOCAL_NAMES.has(name) || /^127\.\d+\.\d+\.\d+$/.test(name) || name === '::ffff:127.0.0.1';
}

function refuse(what, target) {
  const line = `${new Date().toISOString()} pid ${process.pid} ${what} ${target}\n`;
  appendFileSync(log, line);
  throw new Error(`offline test: a network connection was attempted: ${what} ${target}`);
}

// net.Socket.connect(options | port[, host] | path): unix sockets and named pipes (IPC) are local.
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof first === 'object' && first !== null) {
    if (first.path === undefined && !isLoopback(first.host))
      refuse('net.connect', `${first.host}:${first.port}`);
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    const host = typeof args[1] === 'string' ? args[1] : undefined;
    if (!isLoopback(host)) refuse('net.connect', `${host}:${first}`);
  }
  return connect.apply(this, args);
};

for (const name of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny']) {
  for (const target of [dns, dns.promises]) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    target[name] = function guardedDns(hostname, ...rest) {
      if (!isLoopback(hostname)) refuse(`dns.${name}`, hostname);
      return original.call(this, hostname, ...rest);
    };
  }
}

function hostOf(args) {
  const [first, second] = args;
  if (typeof first === 'string' || first instanceof URL) return new URL(String(first)).hostname;
  const options = typeof first === 'object' && first !== null ? first : second;
  return options?.hostname ?? options?.host;
}
for (const [label, module] of [
  ['http', http],
  ['https', https],
]) {
  for (const name of ['request', 'get']) {
    const original = module[name];
    module[name] = function guardedRequest(...args) {
      const host = hostOf(args);
      if (!isLoopback(host)) refuse(`${label}.${name}`, host);
      return original.apply(this, args);
    };
  }
}

const originalFetch = globalThis.fetch;
globalThis.fetch = function guardedFetch(input, init) {
  const url = typeof input === 'string' || input instanceof URL ? new URL(String(input)) : new URL(input.url);
  if (!isLoopback(url.hostname)) refuse('fetch', url.href);
  return originalFetch.call(this, input, init);
};

const send = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function guardedSend(...args) {
  const address = args.find((a, i) => i > 0 && typeof a === 'string');
  if (!isLoopback(address)) refuse('udp.send', address);
  return send.apply(this, args);
};

syncBuiltinESMExports();
