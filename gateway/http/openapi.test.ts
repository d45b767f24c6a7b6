import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { OPENAPI, openApiDocument } from './openapi.ts';

/** Routes of the kinds the API has: hidden, with query/params/body/response schemas, several methods, inside a prefixed plugin. */
async function routes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  app.get(
    '/api/things',
    {
      config: { permission: 'public' } as never,
      schema: {
        tags: ['things'],
        summary: 'List things',
        querystring: { type: 'object', properties: { q: { type: 'string', maxLength: 50 }, limit: { type: 'integer', minimum: 1, default: 50 } } },
        response: { 200: { type: 'object', properties: { total: { type: 'integer' } } } },
      },
    },
    async () => ({ total: 0 }),
  );
  await app.register(
    async (api) => {
      api.get('/things/:id', { schema: { params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } } }, async () => ({}));
      api.post(
        '/things',
        { schema: { tags: ['things'], body: { type: 'object', properties: { name: { type: 'string', minLength: 1 } }, required: ['name'] } } },
        async () => ({}),
      );
      api.route({ method: ['PUT', 'PATCH'], url: '/things/:id', handler: async () => ({}) });
    },
    { prefix: '/api/v1' },
  );
}

describe('the OpenAPI document made at the first request', () => {
  it('is the document @fastify/swagger makes when registered before the routes', async () => {
    const eager = Fastify();
    await eager.register(swagger, { openapi: OPENAPI });
    await routes(eager);
    await eager.ready();
    const expected = eager.swagger();
    await eager.close();

    const lazy = Fastify();
    const doc = openApiDocument(lazy);
    await routes(lazy);
    lazy.get('/api/openapi.json', { schema: { hide: true } }, doc);
    await lazy.ready();
    const first = await lazy.inject('/api/openapi.json');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual(expected);
    expect(Object.keys(first.json().paths)).toEqual(['/api/things', '/api/v1/things/{id}', '/api/v1/things']);
    // Made once: the second answer is the same document.
    expect(await doc()).toBe(await doc());
    await lazy.close();
  });
});
