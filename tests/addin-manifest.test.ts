/**
 * The Outlook add-in's manifest: the committed one, the one `vanthu addin manifest --url` writes,
 * and the one a gateway serves. Read with office-addin-manifest (Microsoft's reader) for the ids,
 * URLs and permissions, and with an XML parser for the command surfaces and requirement sets.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { OfficeAddinManifest } from 'office-addin-manifest';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { MANIFEST_TEMPLATE, TEMPLATE_BASE } from '../gateway/http/addin.ts';
import { PROJECT_ROOT } from '../gateway/config/load.ts';

const run = promisify(execFile);
const CLI = path.join(PROJECT_ROOT, 'bin', 'vanthu.mjs');
const ID = 'd72ebaa6-a575-487a-b779-d8f6286f78cb';
const tmp = mkdtempSync(path.join(tmpdir(), 'vanthu-manifest-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Node = Record<string, unknown>;
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  isArray: (name) => ['ExtensionPoint', 'Set', 'Image', 'Url', 'Control', 'Rule', 'Form'].includes(name),
});

function surfaces(xml: string): { v10: string[]; v11: string[]; minV10: string; minV11: string; pinning: boolean } {
  const app = (parser.parse(xml) as { OfficeApp: Node }).OfficeApp;
  const v10 = app.VersionOverrides as Node;
  const v11 = v10.VersionOverrides as Node;
  const points = (vo: Node) => ((((vo.Hosts as Node).Host as Node).DesktopFormFactor as Node).ExtensionPoint as Node[]).map((e) => String(e['@type']));
  const min = (vo: Node) => String(((vo.Requirements as Node).Sets as Node)['@DefaultMinVersion']);
  return { v10: points(v10), v11: points(v11), minV10: min(v10), minV11: min(v11), pinning: xml.includes('<SupportsPinning>true</SupportsPinning>') };
}

/** Every absolute URL in the manifest, except the XML namespaces. */
function urls(xml: string): string[] {
  return [...xml.matchAll(/"(https?:\/\/[^"]+)"|<AppDomain>([^<]+)</g)]
    .map((m) => m[1] ?? m[2])
    .filter((u) => !u.includes('schemas.microsoft.com') && !u.includes('www.w3.org'));
}

describe('add-in manifest', () => {
  it('is a MailApp with read and compose buttons, ReadWriteItem, and Mailbox requirement sets', async () => {
    const info = await OfficeAddinManifest.readManifestFile(MANIFEST_TEMPLATE);
    expect(info.id).toBe(ID);
    expect(info.officeAppType).toBe('MailApp');
    expect(info.hosts).toEqual(['Mailbox']);
    expect(info.permissions).toBe('ReadWriteItem');
    expect(info.displayName).toBe('Văn thư điện tử');
    expect(info.iconUrl).toBe(`${TEMPLATE_BASE}assets/icon-64.png`);
    expect(info.highResolutionIconUrl).toBe(`${TEMPLATE_BASE}assets/icon-128.png`);
    expect(info.appDomains).toEqual(['https://localhost:8080']);
    const xml = readFileSync(MANIFEST_TEMPLATE, 'utf8');
    const s = surfaces(xml);
    expect(s.v10).toEqual(['MessageReadCommandSurface', 'MessageComposeCommandSurface']);
    expect(s.v11).toEqual(['MessageReadCommandSurface', 'MessageComposeCommandSurface']);
    expect(s.minV10).toBe('1.3');
    expect(s.minV11).toBe('1.5');
    expect(s.pinning).toBe(true);
    expect(xml).toMatch(/<Set Name="Mailbox" MinVersion="1.1"\/>/);
  });

  it('points every URL at the pane and every icon at a PNG of the size it declares', () => {
    const xml = readFileSync(MANIFEST_TEMPLATE, 'utf8');
    const all = urls(xml);
    expect(all.length).toBeGreaterThan(10);
    for (const u of all) expect(u.startsWith(TEMPLATE_BASE) || u === 'https://localhost:8080').toBe(true);
    const icons = [...xml.matchAll(/assets\/icon-(\d+)\.png/g)].map((m) => Number(m[1]));
    expect(new Set(icons)).toEqual(new Set([16, 32, 64, 80, 128]));
    for (const size of new Set(icons)) {
      const png = PNG.sync.read(readFileSync(path.join(PROJECT_ROOT, 'addin', 'public', 'assets', `icon-${size}.png`)));
      expect([png.width, png.height]).toEqual([size, size]);
    }
    expect(xml).toContain(`${TEMPLATE_BASE}taskpane.html`);
  });

  it('`vanthu addin manifest --url` writes the same manifest for a deployment URL', async () => {
    const out = path.join(tmp, 'deploy.xml');
    await run(process.execPath, [CLI, 'addin', 'manifest', '--url', 'https://vanthu.stc.lamdong.gov.vn/gw/addin', '--out', out]);
    const info = await OfficeAddinManifest.readManifestFile(out);
    expect(info.id).toBe(ID);
    expect(info.appDomains).toEqual(['https://vanthu.stc.lamdong.gov.vn']);
    expect(info.iconUrl).toBe('https://vanthu.stc.lamdong.gov.vn/gw/addin/assets/icon-64.png');
    const xml = readFileSync(out, 'utf8');
    for (const u of urls(xml)) expect(u.startsWith('https://vanthu.stc.lamdong.gov.vn/gw/addin/') || u === 'https://vanthu.stc.lamdong.gov.vn').toBe(true);
    expect(xml).not.toContain('localhost');
    expect(surfaces(xml).v11).toEqual(['MessageReadCommandSurface', 'MessageComposeCommandSurface']);
  });

  it('takes a deployment id and prints to stdout without --out', async () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const { stdout } = await run(process.execPath, [CLI, 'addin', 'manifest', '--url', 'https://mail.example.gov.vn/addin/', '--id', id]);
    expect(stdout).toContain(`<Id>${id}</Id>`);
    expect(stdout).toContain('https://mail.example.gov.vn/addin/taskpane.html');
  });

  it('refuses a URL Outlook would not load, saying why', async () => {
    const err = await run(process.execPath, [CLI, 'addin', 'manifest', '--url', 'http://vanthu.example.gov.vn/addin/']).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toMatch(/https:\/\/.*HTTPS/);
    const noUrl = await run(process.execPath, [CLI, 'addin', 'manifest']).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(noUrl?.code).toBe(2);
    expect(noUrl?.stderr).toContain('--url is required');
  });
});
