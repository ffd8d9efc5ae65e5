import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { basename, dirname, resolve } from 'node:path';
import sirv from 'sirv';
import type { StaticFiles } from './options.js';

export type Handler = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

/** One file served at one URL path. */
export interface FileRoute {
  readonly file: string;
  /** Sent with it (and with a 304 for it); they win over sirv's own, e.g. Cache-Control. */
  readonly headers?: OutgoingHttpHeaders;
}

/** The URL path of a request, without its query. */
export const pathOf = (request: IncomingMessage): string => (request.url ?? '/').split('?', 1)[0]!;

/**
 * Serves single files at fixed URL paths through sirv: ETag and 304, HEAD,
 * ranges. Each file is looked at on every request (sirv's dev mode), so a
 * rebuild is served at once and the ETag follows it.
 */
export function fileRoutes(routes: ReadonlyMap<string, FileRoute>): Handler {
  const folders = new Map<string, Handler>();
  const serverOf = (folder: string): Handler => {
    let server = folders.get(folder);
    if (!server) {
      server = sirv(folder, { dev: true, etag: true, extensions: [] });
      folders.set(folder, server);
    }
    return server;
  };
  return (request, response, next) => {
    const path = pathOf(request);
    const route = routes.get(path);
    if (!route) return next();
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    for (const [name, value] of Object.entries(route.headers ?? {})) if (value !== undefined) response.setHeader(name, value);
    const file = resolve(route.file);
    // sirv finds files by the request's path: give it the file's own name.
    request.url = `/${encodeURIComponent(basename(file))}`;
    serverOf(dirname(file))(request, response, () => {
      request.url = path;
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      response.end(`${path} is not built yet: run npm run build\n`);
    });
  };
}

/** Serves a folder (sirv, index.html at `/`) and single named files, e.g. the demo. */
export function staticHandler(files: StaticFiles): Handler {
  const folder = files.root ? sirv(resolve(files.root), { dev: true, etag: true, extensions: ['html'] }) : undefined;
  const named = fileRoutes(new Map(Object.entries(files.files ?? {}).map(([path, file]) => [path, { file, headers: { 'cache-control': 'no-cache' } }])));
  return (request, response, next) => named(request, response, () => (folder ? folder(request, response, next) : next()));
}
