/**
 * Security headers (@fastify/helmet) for every response: the API's JSON and errors get a policy
 * that allows nothing to load or frame them; the Outlook add-in's pages (/addin/…) get the policy
 * the task pane needs — its own bundle, Office.js from Microsoft's CDN, calls to this gateway's
 * /api, framing by Outlook on the web — and nothing more.
 */
import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { Config } from '../config/load.ts';

/** Where Office.js comes from: the pane's <script> (appsforoffice.microsoft.com), the CDN's unified domain it is served from, and MicrosoftAjax.js that Office.js loads in some hosts. */
export const OFFICE_SCRIPT_SOURCES = ['https://appsforoffice.microsoft.com', 'https://officeapis.public.onecdn.static.microsoft', 'https://ajax.aspnetcdn.com'];

/** Outlook on the web (Microsoft 365, Outlook.com, the new Outlook) shows the pane in an iframe of these pages; on-premises OWA hosts are added with http.addinFrameAncestors. */
export const OUTLOOK_WEB_ORIGINS = [
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://outlook.live.com',
  'https://outlook.cloud.microsoft',
];

type Options = FastifyHelmetOptions;

function common(config: Config) {
  const https = !!config.http.tls || !!config.http.publicUrl?.startsWith('https:');
  return {
    // HSTS only where the gateway is reached over HTTPS (browsers ignore it over HTTP anyway).
    strictTransportSecurity: https ? { maxAge: 15_552_000, includeSubDomains: false } : (false as const),
    referrerPolicy: { policy: 'no-referrer' as const },
    crossOriginOpenerPolicy: { policy: 'same-origin' as const },
  };
}

/** Everything but the add-in: JSON, files, errors. Nothing may run, load or frame it. */
export function apiHeaders(config: Config): Options {
  return {
    ...common(config),
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"], frameAncestors: ["'none'"] },
    },
    xFrameOptions: { action: 'deny' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  };
}

/** The add-in's pages and assets. */
export function addinHeaders(config: Config): Options {
  return {
    ...common(config),
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", ...OFFICE_SCRIPT_SOURCES],
        // Office.js sets inline styles on the elements it adds (OfficeDev/office-js#1687); the help page has a <style> block. No inline script anywhere.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'", ...OUTLOOK_WEB_ORIGINS, ...config.http.addinFrameAncestors],
      },
    },
    // X-Frame-Options cannot name Outlook's origins: frame-ancestors above decides instead.
    xFrameOptions: false,
    // Outlook on the web shows the add-in's icons (assets/icon-*.png) from its own origin.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  };
}
