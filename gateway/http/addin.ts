/**
 * Serves the Outlook add-in: the built task pane (addin/dist) under /addin/ without a token (Office
 * loads it before anyone signs in; the pane then calls /api with the person's token), and the
 * manifest rewritten for this deployment's URL at /addin/manifest.xml.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, type Config } from '../config/load.ts';
import { addinHeaders } from './security-headers.ts';

export const ADDIN_DIR = path.join(PROJECT_ROOT, 'addin');
export const ADDIN_DIST = path.join(ADDIN_DIR, 'dist');
export const MANIFEST_TEMPLATE = path.join(ADDIN_DIR, 'manifest.xml');
/** The development URL written in the committed manifest; renderManifest replaces it. */
export const TEMPLATE_BASE = 'https://localhost:8080/addin/';

export class ManifestUrlError extends Error {}

/** Checks and normalises a deployment URL for the pane: https, ending in "/". */
export function addinBaseUrl(url: string, opts: { allowHttp?: boolean } = {}): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ManifestUrlError(`"${url}" is not a URL; expected e.g. https://vanthu.example.gov.vn/addin/`);
  }
  if (u.protocol !== 'https:' && !(opts.allowHttp && u.protocol === 'http:')) {
    throw new ManifestUrlError(`"${url}" must start with https:// (Outlook loads add-ins only over HTTPS)`);
  }
  if (u.search || u.hash) throw new ManifestUrlError(`"${url}" must not carry a query or fragment`);
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return u;
}

export interface ManifestOptions {
  /** Where the pane is served, e.g. https://vanthu.stc.lamdong.gov.vn/addin/ */
  baseUrl: URL;
  /** A deployment's own add-in id (GUID); the template's id otherwise. */
  id?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function renderManifest(template: string, opts: ManifestOptions): string {
  const templateOrigin = new URL(TEMPLATE_BASE).origin;
  const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  let xml = template.split(TEMPLATE_BASE).join(escapeXml(opts.baseUrl.href));
  xml = xml.replace(`<AppDomain>${templateOrigin}</AppDomain>`, `<AppDomain>${escapeXml(opts.baseUrl.origin)}</AppDomain>`);
  if (opts.id !== undefined) {
    if (!GUID.test(opts.id)) throw new ManifestUrlError(`"${opts.id}" is not a GUID (e.g. ${crypto.randomUUID()})`);
    xml = xml.replace(/<Id>[^<]*<\/Id>/, `<Id>${opts.id.toLowerCase()}</Id>`);
  }
  return xml;
}

export function readManifestTemplate(): string {
  return readFileSync(MANIFEST_TEMPLATE, 'utf8');
}

/** The pane's base URL as the person's browser reached it (behind a proxy: set http.publicUrl). */
function requestBase(config: Config, req: FastifyRequest): URL {
  if (config.http.publicUrl) return new URL('addin/', config.http.publicUrl.endsWith('/') ? config.http.publicUrl : `${config.http.publicUrl}/`);
  return new URL(`${req.protocol}://${req.host}/addin/`);
}

export function addinRoutes(config: Config, dist: string = ADDIN_DIST) {
  const headers = addinHeaders(config);
  return async (root: FastifyInstance): Promise<void> =>
    root.register(async (app) => {
      // Every route here (the static files too) gets the pane's Content-Security-Policy instead of the API's.
      app.addHook('onRoute', (route) => {
        // (config.helmet is where @fastify/helmet reads a route's own options)
        route.config = { ...route.config, helmet: headers } as typeof route.config;
      });
      app.get('/addin', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/addin/taskpane.html'));
      app.get('/addin/manifest.xml', { schema: { summary: 'The Outlook add-in manifest for this gateway' } }, async (req, reply) => {
        const xml = renderManifest(readManifestTemplate(), { baseUrl: addinBaseUrl(requestBase(config, req).href, { allowHttp: true }) });
        return reply.type('application/xml; charset=utf-8').header('content-disposition', 'inline; filename="manifest.xml"').send(xml);
      });
      if (!existsSync(path.join(dist, 'taskpane.html'))) {
        app.get('/addin/*', { schema: { hide: true } }, async (_req, reply) =>
          reply.code(503).send({
            statusCode: 503,
            error: 'Service Unavailable',
            message: 'Chưa build add-in: chạy "npm run build:addin" rồi khởi động lại (the add-in is not built: run "npm run build:addin" and restart)',
          }),
        );
        return;
      }
      await app.register(fastifyStatic, {
        root: dist,
        prefix: '/addin/',
        index: ['taskpane.html'],
        // Hashed bundles never change; the HTML must be re-read so a new build is picked up.
        setHeaders: (res, file) => {
          res.header(
            'cache-control',
            file.includes(`${path.sep}assets${path.sep}`) && /-[A-Za-z0-9_-]{8,}\.(js|css)$/.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache',
          );
        },
      });
    });
}
