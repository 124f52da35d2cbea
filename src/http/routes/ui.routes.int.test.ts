/**
 * Serving the built UI: hashed assets cached for good, index.html revalidated, precompressed
 * copies chosen by Accept-Encoding, the SPA fallback for page paths, and the API's JSON 404 kept.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandler } from '../error-handler.ts';
import { uiRoutes } from './ui.routes.ts';

describe('the web UI routes', () => {
  let dist: string;
  let app: FastifyInstance;
  const INDEX = '<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script></head><body><div id="root"></div></body></html>';
  const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2000))});`;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'cscx-ui-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'assets', 'app-abc123.js'), SCRIPT);
    writeFileSync(join(dist, 'assets', 'app-abc123.js.br'), brotliCompressSync(SCRIPT));
    writeFileSync(join(dist, 'assets', 'app-abc123.js.gz'), gzipSync(SCRIPT));
    writeFileSync(join(dist, '.build-hash'), 'secret-ish');
    app = Fastify();
    registerErrorHandler(app);
    await app.register(uiRoutes({ distDir: dist }));
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves hashed assets immutable for a year, brotli or gzip as the browser accepts', async () => {
    const br = await app.inject({ url: '/assets/app-abc123.js', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(br.headers.vary).toBe('accept-encoding');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(SCRIPT);
    const gz = await app.inject({ url: '/assets/app-abc123.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const plain = await app.inject({ url: '/assets/app-abc123.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(SCRIPT);
  });

  it('serves index.html at / and at any page path, revalidated every time (ETag, 304)', async () => {
    for (const url of ['/', '/customers/6f1c8a9e-0000-4000-8000-000000000000', '/settings?tab=mappings', '/index.html']) {
      const page = await app.inject({ url });
      expect(page.statusCode, url).toBe(200);
      expect(page.body).toBe(INDEX);
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    }
    const first = await app.inject({ url: '/' });
    const again = await app.inject({ url: '/alerts', headers: { 'if-none-match': String(first.headers.etag) } });
    expect(again.statusCode).toBe(304);
  });

  it('answers a missing file with 404, never with the page; keeps the API JSON 404; hides build files', async () => {
    expect((await app.inject({ url: '/assets/app-old999.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/favicon.ico' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/.build-hash' })).body).not.toContain('secret-ish');
    for (const url of ['/assets/%2e%2e/%2e%2e/etc/passwd', '/assets/../../etc/passwd', '/..%2f..%2fetc%2fpasswd']) {
      expect((await app.inject({ url })).body, url).not.toMatch(/root:/);
    }
    const api = await app.inject({ url: '/api/nothing-here' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({ error: { code: 'not_found', message: 'no route GET /api/nothing-here' } });
  });

  it('says how to build the UI when it is not built', async () => {
    const bare = Fastify();
    await bare.register(uiRoutes({ distDir: join(dist, 'missing') }));
    const page = await bare.inject({ url: '/' });
    expect(page.statusCode).toBe(503);
    expect(page.body).toMatch(/npm run build/);
    await bare.close();
  });
});
