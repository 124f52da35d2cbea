/**
 * The web UI (web/, built by Vite into web/dist): served from memory, compressed, with cache headers.
 * Hashed assets (/assets/*) never change under their name: cached for a year, immutable. Everything
 * else (index.html) is revalidated on every load (no-cache + ETag), so that a new build is picked up
 * at once. Brotli and gzip copies are made at build time (web/build.ts); the server only chooses.
 * Any GET that is not an API path and not a file answers index.html: the UI routes itself.
 * Security headers (the Content-Security-Policy the UI is built to run under: scripts and styles
 * from this origin only) are set for every answer by src/http/security.ts.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

const DEFAULT_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};


interface Asset {
  body: Buffer;
  br: Buffer | null;
  gz: Buffer | null;
  type: string;
  etag: string;
  immutable: boolean;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !file.endsWith('.br') && !file.endsWith('.gz') && !relative(dir, file).startsWith('.'));
}

async function readOptional(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch {
    return null;
  }
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CSCX: the web UI is not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The web UI is not built yet</h1><p>Run <code>npm run build</code> (or start with <code>npm start</code>, which builds it), then reload this page.</p>
<p>The API is up: <a href="/healthz">/healthz</a>.</p></body></html>`;

export function uiRoutes(options: { distDir?: string } = {}): FastifyPluginAsync {
  const distDir = options.distDir ?? DEFAULT_DIST;
  // path ("/index.html", "/assets/x.js") -> file; read once, on first use, then kept in memory.
  let files: Promise<Set<string> | null> | null = null;
  const assets = new Map<string, Promise<Asset>>();

  const fileList = () => {
    files ??= listFiles(distDir)
      .then((list) => new Set(list.map((file) => `/${relative(distDir, file).split(sep).join('/')}`)))
      .catch(() => null);
    return files;
  };

  const load = (path: string): Promise<Asset> => {
    let asset = assets.get(path);
    if (!asset) {
      const file = join(distDir, ...path.split('/'));
      asset = Promise.all([readFile(file), readOptional(`${file}.br`), readOptional(`${file}.gz`)]).then(([body, br, gz]) => ({
        body,
        br,
        gz,
        type: TYPES[extname(path)] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        immutable: path.startsWith('/assets/'),
      }));
      assets.set(path, asset);
    }
    return asset;
  };

  const send = (request: FastifyRequest, reply: FastifyReply, asset: Asset) => {
    reply.header('content-type', asset.type);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('vary', 'accept-encoding');
    reply.header('etag', asset.etag);
    if (asset.immutable) {
      reply.header('cache-control', 'public, max-age=31536000, immutable');
    } else {
      reply.header('cache-control', 'no-cache');
    }
    if (request.headers['if-none-match'] === asset.etag) return reply.status(304).send();
    const accepted = String(request.headers['accept-encoding'] ?? '');
    if (asset.br && /\bbr\b/.test(accepted)) return reply.header('content-encoding', 'br').send(asset.br);
    if (asset.gz && /\bgzip\b/.test(accepted)) return reply.header('content-encoding', 'gzip').send(asset.gz);
    return reply.send(asset.body);
  };

  return async (app) => {
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0] ?? '/';
      // The API keeps its JSON 404 for unknown paths.
      if (path === '/api' || path.startsWith('/api/')) return reply.callNotFound();
      const list = await fileList();
      if (!list) {
        files = null; // look again next time: a build may have finished since
        return reply.status(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
      }
      let decoded: string;
      try {
        decoded = decodeURIComponent(path);
      } catch {
        return reply.callNotFound();
      }
      // Only files of the build, looked up by exact name: nothing outside web/dist can be named.
      if (list.has(decoded)) return send(request, reply, await load(decoded));
      // A missing file (an old hashed asset, /favicon.ico) is a 404; any other path is a page of the UI.
      if (extname(decoded) !== '' || decoded.startsWith('/assets/')) {
        return reply.status(404).type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send('not found');
      }
      return send(request, reply, await load('/index.html'));
    };
    // Not in the OpenAPI document (src/http/openapi.ts): these are the web UI's pages and files,
    // not the API.
    app.get('/', { config: { public: true }, schema: { hide: true } }, handler);
    app.get('/*', { config: { public: true }, schema: { hide: true } }, handler);
  };
}
