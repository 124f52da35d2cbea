import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDb } from '../db/test-db.ts';
import { createTestDeps } from '../test-deps.ts';
import { buildApp } from './app.ts';

describe('HTTP app', () => {
  let testDb: TestDb;
  let app: FastifyInstance;

  beforeAll(async () => {
    const { deps, testDb: created } = await createTestDeps();
    testDb = created;
    app = await buildApp(deps);
    // A JSON route of our own, to see how the shared body parsing answers bad input.
    app.post('/__test/echo', { config: { public: true } }, async (request) => request.body);
  });
  afterAll(async () => {
    await app?.close();
    await testDb?.destroy();
  });

  it('answers /healthz while alive', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with the database engine and no pending migration', async () => {
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', database: { engine: testDb.db.engine, reachable: true, migrationsPending: 0 } });
  });

  it('answers an unknown route with a JSON 404 that names it', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/nothing-here?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: 'no route GET /api/nothing-here' } });
  });

  it('answers malformed JSON with a 400 that says so', async () => {
    const response = await app.inject({ method: 'POST', url: '/__test/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('bad_request');
    expect(response.json().error.message).toMatch(/not valid JSON/);
  });

  it('takes a JSON request with an empty body as one without a body', async () => {
    const empty = await app.inject({ method: 'POST', url: '/__test/echo', headers: { 'content-type': 'application/json' }, payload: '' });
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toBe('');
    // A route that needs a body says which is missing.
    const signIn = await app.inject({ method: 'POST', url: '/api/auth/sign-in', headers: { 'content-type': 'application/json' }, payload: '' });
    expect(signIn.statusCode).toBe(400);
    expect(signIn.json().error).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/^body/) });
  });
});

describe('HTTP app when the database is gone', () => {
  it('says not ready with 503', async () => {
    const { deps, destroy } = await createTestDeps();
    const app = await buildApp(deps);
    await destroy();
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'not_ready', database: { reachable: false } });
    await app.close();
  });
});
