// Owns talking DICOMweb to one server: QIDO-RS searches, WADO-RS instance retrieval as a stream of parts, and
// STOW-RS stores, over Node's own fetch (undici). Every failure becomes a PacsError that names the server and
// says what to do; the Authorization header never appears in one.
//
// Why not the `dicomweb-client` npm package (0.11.x): it is built on XMLHttpRequest, which Node 20 does not
// have ("XMLHttpRequest is not defined" on the first call, checked), and it buffers whole multipart responses.
// So this is a small client on fetch, with @remix-run/multipart-parser (streaming, maintained) for the
// multipart/related bodies of WADO-RS, so each instance can be written as soon as it arrives.
import { parseMultipartStream, getMultipartBoundary } from '@remix-run/multipart-parser';
import { randomUUID } from 'node:crypto';
import { PacsError, isAbort, networkCode } from './pacs-error.ts';
import { qidoSearchParams, type QidoQuery } from './qido-query.ts';
import type { PacsServer } from './server-settings.ts';
import { secretEnvName } from './secret-store.ts';

export type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;

export interface DicomwebClientOptions {
  /** Authorization header value (from secret-store.ts), or undefined for none. */
  authorization?: string;
  /** Seconds to wait for the response headers of one request (default 60). */
  timeoutSeconds?: number;
  /** For tests: a fetch with the same signature. */
  fetch?: typeof fetch;
}

/** One instance of a WADO-RS response, as the raw chunks of its Part 10 bytes. */
export interface RetrievedPart {
  content: Uint8Array[];
  size: number;
}

export interface StowResponse {
  status: number;
  /** The Store Instances Response dataset, when the server sent one. */
  body?: DicomJson;
  /** A short text of a non-DICOM error body (first 200 characters), for the message. */
  text?: string;
}

// Ask for the stored transfer syntax ("*"): no transcoding on the server, so a retrieved file is the file the
// archive holds, and the bytes stay compressed when they were stored compressed.
const ACCEPT_DICOM = 'multipart/related; type="application/dicom"; transfer-syntax=*';
const UID = /^[0-9]+(\.[0-9]+)*$/;

export function checkUid(uid: string, what: string): string {
  if (!UID.test(uid) || uid.length > 64) throw new PacsError('config', `${what} "${uid}" is not a DICOM UID`);
  return uid;
}

export class DicomwebClient {
  readonly server: PacsServer;
  readonly #authorization?: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(server: PacsServer, options: DicomwebClientOptions = {}) {
    this.server = server;
    this.#authorization = options.authorization;
    this.#timeoutMs = (options.timeoutSeconds ?? 60) * 1000;
    this.#fetch = options.fetch ?? fetch;
  }

  get label(): string {
    return `DICOMweb server "${this.server.name}" (${this.server.baseUrl})`;
  }

  /** One request; the response headers must arrive within the timeout, the body may take longer. */
  async request(path: string, init: RequestInit & { signal?: AbortSignal } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#authorization) headers.set('authorization', this.#authorization);
    // The timeout covers the wait for the response headers only: a large retrieve may stream for minutes.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout.signal]) : timeout.signal;
    let response: Response;
    try {
      // Redirects are not followed: the credentials would go along to wherever the server points.
      response = await this.#fetch(`${this.server.baseUrl}${path}`, {
        ...init,
        headers,
        signal,
        redirect: 'manual',
      });
    } catch (error) {
      if (init.signal?.aborted) throw new PacsError('aborted', 'cancelled', { cause: error });
      if (timeout.signal.aborted)
        throw new PacsError(
          'unreachable',
          `${this.label} did not answer within ${this.#timeoutMs / 1000} s — check the URL and the network`,
          { cause: error },
        );
      throw this.#networkError(error, 'connect to');
    } finally {
      clearTimeout(timer);
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const location = response.headers.get('location') ?? 'elsewhere';
      throw new PacsError(
        'config',
        `${this.label} redirects to ${location.split('?')[0]} (HTTP ${response.status}) — if that is the archive, put its DICOMweb root in the settings as "baseUrl"`,
        { status: response.status },
      );
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      const what =
        this.server.auth.type === 'none'
          ? 'asks for credentials, but its settings say no authentication — set "auth" for it'
          : this.server.auth.type === 'basic'
            ? `refused the user name or password (HTTP ${response.status}) — check the user name in the settings and the password (${secretEnvName(this.server.name, 'password')} or the saved one)`
            : `refused the token (HTTP ${response.status}) — check it (${secretEnvName(this.server.name, 'token')} or the saved one)`;
      throw new PacsError('auth', `${this.label} ${what}`, { status: response.status });
    }
    return response;
  }

  #networkError(error: unknown, doing: string): PacsError {
    const code = networkCode(error);
    const why =
      code === 'ECONNREFUSED'
        ? 'connection refused — is the server running, and is the URL right?'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'host name not found — check the URL'
          : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET'
            ? 'the connection was closed by the server'
            : `${(error as Error).message}${code ? ` (${code})` : ''}`;
    return new PacsError('unreachable', `could not ${doing} ${this.label}: ${why}`, { cause: error });
  }

  async #json(path: string, signal?: AbortSignal): Promise<DicomJson[]> {
    const response = await this.request(path, { headers: { accept: 'application/dicom+json' }, signal });
    if (response.status === 204) return [];
    const text = await this.#readText(response, signal);
    if (!response.ok) throw this.#statusError(response.status, text, 'search');
    try {
      const data: unknown = text.trim() ? JSON.parse(text) : [];
      if (!Array.isArray(data)) throw new Error('not an array');
      return data as DicomJson[];
    } catch (error) {
      throw new PacsError(
        'protocol',
        `${this.label} sent a search answer that is not DICOM JSON (${(error as Error).message})`,
      );
    }
  }

  async #readText(response: Response, signal?: AbortSignal): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      if (signal?.aborted) throw new PacsError('aborted', 'cancelled', { cause: error });
      throw this.#networkError(error, 'read the answer of');
    }
  }

  #statusError(status: number, text: string, doing: string): PacsError {
    const detail = text.replace(/\s+/g, ' ').trim().slice(0, 200);
    const advice = status >= 500 ? ' — a server-side failure; try again later or ask its administrator' : '';
    return new PacsError(
      'http',
      `${this.label} answered HTTP ${status} to a ${doing}${detail ? `: ${detail}` : ''}${advice}`,
      { status },
    );
  }

  /** QIDO-RS: studies, series (of a study or all) or instances (of a series). */
  searchStudies(query: QidoQuery = {}, signal?: AbortSignal): Promise<DicomJson[]> {
    return this.#json(`/studies?${qidoSearchParams(query)}`, signal);
  }

  searchSeries(query: QidoQuery & { studyInstanceUid?: string } = {}, signal?: AbortSignal) {
    const study = query.studyInstanceUid
      ? `/studies/${checkUid(query.studyInstanceUid, 'Study Instance UID')}`
      : '';
    return this.#json(`${study}/series?${qidoSearchParams(query, 'series')}`, signal);
  }

  searchInstances(
    studyInstanceUid: string,
    seriesInstanceUid: string,
    query: QidoQuery = {},
    signal?: AbortSignal,
  ) {
    const path = `/studies/${checkUid(studyInstanceUid, 'Study Instance UID')}/series/${checkUid(seriesInstanceUid, 'Series Instance UID')}/instances`;
    return this.#json(`${path}?${qidoSearchParams(query, 'instance')}`, signal);
  }

  /** Connection test: one study search with limit 1; throws the same PacsError a pull would. */
  async testConnection(signal?: AbortSignal): Promise<void> {
    await this.searchStudies({ limit: 1 }, signal);
  }

  /**
   * WADO-RS: the instances of a series (or, with `sopInstanceUid`, one instance), yielded one part at a time
   * as they arrive. A connection that breaks mid-way throws a PacsError of kind 'interrupted' after the parts
   * that did arrive have been yielded.
   */
  async *retrieve(
    target: { studyInstanceUid: string; seriesInstanceUid: string; sopInstanceUid?: string },
    signal?: AbortSignal,
  ): AsyncGenerator<RetrievedPart> {
    let path = `/studies/${checkUid(target.studyInstanceUid, 'Study Instance UID')}/series/${checkUid(target.seriesInstanceUid, 'Series Instance UID')}`;
    if (target.sopInstanceUid) path += `/instances/${checkUid(target.sopInstanceUid, 'SOP Instance UID')}`;
    const response = await this.request(path, { headers: { accept: ACCEPT_DICOM }, signal });
    if (!response.ok)
      throw this.#statusError(response.status, await this.#readText(response, signal), 'retrieve');
    const contentType = response.headers.get('content-type') ?? '';
    const boundary = getMultipartBoundary(contentType);
    if (!/^multipart\/related/i.test(contentType) || !boundary || !response.body) {
      await response.body?.cancel();
      throw new PacsError(
        'protocol',
        `${this.label} answered a retrieve with "${contentType || 'no content type'}", not multipart/related DICOM`,
      );
    }
    try {
      for await (const part of parseMultipartStream(response.body, {
        boundary,
        // Series can be large and instances (multi-frame) too; parts are written out one at a time.
        maxFileSize: Number.MAX_SAFE_INTEGER,
        maxTotalSize: Number.MAX_SAFE_INTEGER,
        maxParts: Number.MAX_SAFE_INTEGER,
        maxHeaderSize: 64 * 1024,
      })) {
        const type = part.mediaType ?? '';
        if (type && !/^application\/dicom$/i.test(type)) continue; // e.g. a bulk-data or metadata part
        yield { content: part.content, size: part.size };
      }
    } catch (error) {
      if (signal?.aborted || isAbort(error)) throw new PacsError('aborted', 'cancelled', { cause: error });
      if (error instanceof PacsError) throw error;
      const code = networkCode(error);
      if (code || (error as Error).message === 'terminated')
        throw new PacsError(
          'interrupted',
          `${this.label} closed the connection part-way through the retrieve (${code ?? 'terminated'})`,
          { cause: error },
        );
      throw new PacsError(
        'protocol',
        `${this.label} sent a broken multipart answer: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  /** STOW-RS: stores Part 10 objects in one request; the caller reads the per-object outcome (stow-result.ts). */
  async store(objects: Uint8Array[], options: { studyInstanceUid?: string; signal?: AbortSignal } = {}) {
    const boundary = `overread-${randomUUID()}`;
    const parts: Uint8Array[] = [];
    for (const object of objects) {
      parts.push(
        Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
        object,
        Buffer.from('\r\n'),
      );
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    const path = options.studyInstanceUid
      ? `/studies/${checkUid(options.studyInstanceUid, 'Study Instance UID')}`
      : '/studies';
    const response = await this.request(path, {
      method: 'POST',
      headers: {
        accept: 'application/dicom+json',
        'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
      },
      // Blob's typings want ArrayBuffer-backed views; these are (Buffer and file reads), the cast says so.
      body: new Blob(parts as Uint8Array<ArrayBuffer>[]),
      signal: options.signal,
    });
    const text = await this.#readText(response, options.signal);
    const result: StowResponse = { status: response.status };
    try {
      const body: unknown = text.trim() ? JSON.parse(text) : undefined;
      // Some servers wrap the one response dataset in an array.
      const dataset = Array.isArray(body) ? body[0] : body;
      if (dataset && typeof dataset === 'object') result.body = dataset as DicomJson;
    } catch {
      result.text = text.replace(/\s+/g, ' ').trim().slice(0, 200);
    }
    return result;
  }
}
