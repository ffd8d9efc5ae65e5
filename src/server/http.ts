import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import sirv from 'sirv';
import type { StaticFiles } from './options.js';

type Handler = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Serves a folder (sirv) and single named files, e.g. the script bundle from dist/. */
export function staticHandler(files: StaticFiles): Handler {
  const folder = files.root ? sirv(resolve(files.root), { dev: true, etag: true, extensions: ['html'] }) : undefined;
  const named = new Map(Object.entries(files.files ?? {}).map(([path, file]) => [path, resolve(file)]));
  return (request, response, next) => {
    const path = (request.url ?? '/').split('?', 1)[0]!;
    const file = named.get(path);
    if (file) {
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        response.end(`${path} is not built yet: run npm run build\n`);
        return;
      }
      const type = TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
      response.writeHead(200, { 'content-type': type, 'content-length': size, 'cache-control': 'no-cache' });
      if (request.method === 'HEAD') response.end();
      else createReadStream(file).pipe(response);
      return;
    }
    if (folder) folder(request, response, next);
    else next();
  };
}
