/**
 * Serves the web console (console/dist) at `/`: the page without a token (it signs in with
 * POST /api/auth/login and calls /api with the person's bearer token, decided by the same policy as
 * every API client), its hashed bundles under /console/. Security headers are the add-in's
 * (security-headers.ts) with a policy of its own: nothing but this gateway, never framed, and
 * `blob:` frames for the attachment the console fetched with the token and shows in the browser's
 * PDF viewer.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, type Config } from '../config/load.ts';
import { addinHeaders } from './security-headers.ts';

export const CONSOLE_DIST = path.join(PROJECT_ROOT, 'console', 'dist');

export function consoleHeaders(config: Config): FastifyHelmetOptions {
  // The add-in's HSTS, referrer and opener policies; the rest is the console's own.
  const { strictTransportSecurity, referrerPolicy, crossOriginOpenerPolicy } = addinHeaders(config) as Record<string, unknown>;
  return {
    strictTransportSecurity,
    referrerPolicy,
    crossOriginOpenerPolicy,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        frameSrc: ['blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    xFrameOptions: { action: 'deny' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  } as FastifyHelmetOptions;
}

export function consoleRoutes(config: Config, dist: string = CONSOLE_DIST) {
  const headers = consoleHeaders(config);
  return async (root: FastifyInstance): Promise<void> =>
    root.register(async (app) => {
      app.addHook('onRoute', (route) => {
        // (config.helmet is where @fastify/helmet reads a route's own options)
        route.config = { ...route.config, helmet: headers } as typeof route.config;
      });
      const index = path.join(dist, 'index.html');
      if (!existsSync(index)) {
        app.get('/', { schema: { hide: true } }, async (_req, reply) =>
          reply.code(503).send({
            statusCode: 503,
            error: 'Service Unavailable',
            message:
              'Chưa build trang quản lý: chạy "npm run build:console" rồi khởi động lại (the console is not built: run "npm run build:console" and restart)',
          }),
        );
        return;
      }
      // Re-read on each request so a new build is picked up without a restart.
      app.get('/', { schema: { hide: true } }, async (_req, reply) =>
        reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(readFileSync(index)),
      );
      app.get('/console', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/'));
      await app.register(fastifyStatic, {
        root: path.join(dist, 'console'),
        prefix: '/console/',
        index: false,
        setHeaders: (res, file) => {
          res.header('cache-control', /-[A-Za-z0-9_-]{8,}\.(js|css)$/.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      });
    });
}
