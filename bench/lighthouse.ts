import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lighthouse, { desktopConfig, generateReport, type Flags, type Result } from 'lighthouse';
import { pino } from 'pino';
import { loadSiteFile } from '@atrium/shared';
import { seedDemoHistory } from '../scripts/demo-history.ts';
import { startStack } from '../scripts/stack.ts';
import { CHROMIUM, givePassword } from '../tests/support/browser.ts';
import { progress } from './support.ts';

/**
 * Lighthouse on each page as its person opens it, in Debian's Chromium: the control-room pages
 * on the wall screen they are made for (Lighthouse's desktop profile — a desktop's CPU and a
 * fast connection, no mobile throttling — at 1920×1080), every other page on a phone
 * (Lighthouse's mobile profile: a mid-range phone's screen, 4× slower CPU and slow 4G,
 * simulated from the observed load). Baseline in the same run: the same page with `x-no-compression` on
 * every request, which @fastify/compress honours, so the cloud answers exactly as it did
 * before it compressed (socket.io compressed its own client script then too). Same process,
 * same data, runs alternating, rather than a second cloud whose data would differ.
 */
const CATEGORIES = ['performance', 'accessibility', 'best-practices'] as const;
const VARIANTS = { compressed: {}, uncompressed: { 'x-no-compression': '1' } } as const;
type Variant = keyof typeof VARIANTS;

/** How a page is scored: the device its person uses. */
export const PROFILES = {
  desktop: 'Lighthouse desktop at 1920×1080 (simulated throttling: 10 Mbps, 40 ms RTT, no CPU slowdown)',
  phone: 'Lighthouse mobile (simulated throttling: slow 4G, 4× CPU)',
} as const;
export type Profile = keyof typeof PROFILES;

export interface PageSample {
  performance: number;
  accessibility: number;
  bestPractices: number;
  fcpMs: number;
  lcpMs: number;
  tbtMs: number;
  cls: number;
  /** bytes over the wire for the page and everything it loaded */
  transferBytes: number;
  /** what Lighthouse says compressing text would still save */
  textCompressionSavingsBytes: number;
  /**
   * and the LCP it would save, estimated on this same trace: free of the CPU noise between two
   * runs on a shared machine, which can be larger than compression's effect itself
   */
  textCompressionLcpSavingsMs: number;
  /** Lighthouse's measure of this machine's speed (a shared, loaded machine scores low and its TBT reads high) */
  benchmarkIndex: number;
}

export interface PageResult {
  path: string;
  who: string;
  profile: Profile;
  present: boolean;
  /** medians over the runs */
  compressed?: PageSample;
  uncompressed?: PageSample;
  transferRatio?: number;
  lcpDifferenceMs?: number;
  /** the audits that cost the page points (compressed variant, last run) */
  failing?: string[];
  errors?: string[];
}

/** `reportsDir`: also write each page's last compressed run as Lighthouse's HTML report, to see why it scored so. */
export async function benchLighthouse(opts: { runs: number; historyWeeks: number; reportsDir?: string }) {
  const site = loadSiteFile();
  const logger = pino({ level: 'warn' });
  const stack = await startStack({ site, logger });
  const chrome = await launchForLighthouse();
  try {
    const base = stack.urls.page;
    const t0 = Date.now();
    // the merchant's charts and the plan need history and a forecast to show
    await seedDemoHistory(stack.cloud, site, { end: Date.now(), weeks: opts.historyWeeks, now: Date.now, logger });
    progress(`lighthouse: ${opts.historyWeeks} weeks of demo history and a forecast in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const people = await makePeople(base, stack.adminKey, site);
    const admin = await sessionCookie(base, 'admin', stack.adminPassword);
    const pages: ScoredPage[] = [
      { path: '/signin.html', who: 'nobody signed in', cookie: null, profile: 'phone' },
      { path: '/', who: 'admin', cookie: admin, profile: 'desktop' },
      { path: '/insights.html', who: 'admin', cookie: admin, profile: 'desktop' },
      { path: '/devices.html', who: 'admin', cookie: admin, profile: 'desktop' },
      { path: '/history.html', who: 'admin', cookie: admin, profile: 'desktop' },
      { path: '/staff.html', who: 'a staff member', cookie: await sessionCookie(base, people.staff, PASSWORD), profile: 'phone' },
      { path: '/merchant.html', who: 'a merchant', cookie: await sessionCookie(base, people.merchant, PASSWORD), profile: 'phone' },
      { path: '/admin.html', who: 'admin', cookie: admin, profile: 'phone' },
    ];
    const results: PageResult[] = [];
    for (const page of pages) results.push(await scorePage(chrome.port, base, page, opts.runs, opts.reportsDir));
    return { profiles: PROFILES, chromium: chrome.version, runs: opts.runs, pages: results };
  } finally {
    await chrome.stop();
    await stack.stop();
  }
}

const PASSWORD = 'a long password for the lighthouse bench';

interface ScoredPage {
  path: string;
  who: string;
  cookie: string | null;
  profile: Profile;
}

/** A staff member on shift and a merchant user for the first shop, made through the API as an admin would. */
async function makePeople(base: string, adminKey: string, site: ReturnType<typeof loadSiteFile>) {
  const api = async (method: string, path: string, body: unknown) => {
    const r = await fetch(new URL(path, base), { method, headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  };
  const zoneId = site.zones[0]!.id;
  const merchantId = site.merchants[0]!.id;
  await api('PUT', '/api/v1/staff/bench-cleaner', { name: 'Bench Cleaner', roles: ['cleaner'], zoneId, available: true, shifts: [{ from: Date.now() - 3600_000, to: Date.now() + 86_400_000 }] });
  await api('POST', '/api/v1/users', { userId: 'bench-cleaner', role: 'staff', staffId: 'bench-cleaner' });
  await api('POST', '/api/v1/users', { userId: 'bench-merchant', role: 'merchant', merchantId });
  for (const u of ['bench-cleaner', 'bench-merchant']) await givePassword(base, adminKey, u, PASSWORD);
  return { staff: 'bench-cleaner', merchant: 'bench-merchant' };
}

async function sessionCookie(base: string, userId: string, password: string): Promise<string> {
  const r = await fetch(new URL('/api/v1/session', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, password }) });
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('atrium_session='));
  if (r.status !== 200 || !cookie) throw new Error(`sign-in as ${userId}: ${r.status} ${await r.text()}`);
  return cookie;
}

async function scorePage(port: number, base: string, page: ScoredPage, runs: number, reportsDir: string | undefined): Promise<PageResult> {
  const url = new URL(page.path, base).href;
  const auth: Record<string, string> = page.cookie ? { cookie: page.cookie } : {};
  // a page another helper has not landed yet is reported, not fatal
  if ((await fetch(url, { headers: auth })).status === 404) {
    progress(`lighthouse: ${page.path} not present, left out`);
    return { path: page.path, who: page.who, profile: page.profile, present: false };
  }
  const samples: Record<Variant, PageSample[]> = { compressed: [], uncompressed: [] };
  const errors: string[] = [];
  let last: Result | undefined;
  for (let run = 0; run < runs; run++) {
    // alternate which goes first, so drift on a shared machine does not favour one
    const order: Variant[] = run % 2 === 0 ? ['compressed', 'uncompressed'] : ['uncompressed', 'compressed'];
    for (const variant of order) {
      progress(`lighthouse: ${page.path} as ${page.who} (${page.profile}), ${variant}, run ${run + 1}/${runs}`);
      let lhr = await runLighthouse(port, url, page.profile, { ...auth, ...VARIANTS[variant] });
      // a trace Chromium failed to record (NO_NAVSTART, NO_FCP under load) is worth one more try, as Lighthouse itself advises
      if (lhr.runtimeError) lhr = await runLighthouse(port, url, page.profile, { ...auth, ...VARIANTS[variant] });
      const problem = lhr.runtimeError?.message ?? (new URL(lhr.finalDisplayedUrl).pathname !== page.path ? `landed on ${lhr.finalDisplayedUrl}, not ${page.path}` : undefined);
      if (problem) {
        errors.push(`${variant}: ${problem}`);
        continue;
      }
      samples[variant].push(sampleOf(lhr));
      if (variant === 'compressed') last = lhr;
    }
  }
  if (last && reportsDir) {
    mkdirSync(reportsDir, { recursive: true });
    writeFileSync(join(reportsDir, `${page.path.replace(/^\/$/, '/index.html').slice(1).replace(/\.html$/, '')}.report.html`), generateReport(last, 'html'));
  }
  const compressed = medianSample(samples.compressed);
  const uncompressed = medianSample(samples.uncompressed);
  return {
    path: page.path,
    who: page.who,
    profile: page.profile,
    present: true,
    ...(compressed && { compressed }),
    ...(uncompressed && { uncompressed }),
    ...(compressed && uncompressed && { transferRatio: +(compressed.transferBytes / uncompressed.transferBytes).toFixed(3), lcpDifferenceMs: Math.round(compressed.lcpMs - uncompressed.lcpMs) }),
    ...(last && { failing: failingAudits(last) }),
    ...(errors.length > 0 && { errors }),
  };
}

/** The wall screen the control room is made for; the desktop profile's own is 1350×940. */
const WALL_SCREEN = { mobile: false, width: 1920, height: 1080, deviceScaleFactor: 1, disabled: false };

async function runLighthouse(port: number, url: string, profile: Profile, extraHeaders: Record<string, string>): Promise<Result> {
  const flags: Flags = {
    port,
    hostname: '127.0.0.1',
    output: 'json',
    logLevel: 'error',
    onlyCategories: [...CATEGORIES],
    // flags override the config's settings: the desktop config brings its throttling and user agent
    ...(profile === 'desktop' ? { formFactor: 'desktop', screenEmulation: WALL_SCREEN } : { formFactor: 'mobile' }),
    throttlingMethod: 'simulate',
    extraHeaders,
    // Each run starts without cookies too: the session cookie is rolled on every answer, and one
    // person's left in the browser would be sent beside the next person's header.
    clearStorageTypes: ['file_systems', 'shader_cache', 'service_workers', 'cache_storage', 'cookies'],
  };
  const result = await lighthouse(url, flags, profile === 'desktop' ? desktopConfig : undefined);
  if (!result) throw new Error(`lighthouse gave no result for ${url}`);
  return result.lhr;
}

function sampleOf(lhr: Result): PageSample {
  const score = (c: string) => Math.round((lhr.categories[c]?.score ?? NaN) * 100);
  const value = (id: string) => lhr.audits[id]?.numericValue ?? NaN;
  const compression = lhr.audits['uses-text-compression'];
  const savings = compression?.details;
  return {
    performance: score('performance'),
    accessibility: score('accessibility'),
    bestPractices: score('best-practices'),
    fcpMs: Math.round(value('first-contentful-paint')),
    lcpMs: Math.round(value('largest-contentful-paint')),
    tbtMs: Math.round(value('total-blocking-time')),
    cls: +value('cumulative-layout-shift').toFixed(3),
    transferBytes: Math.round(value('total-byte-weight')),
    textCompressionSavingsBytes: savings && 'overallSavingsBytes' in savings ? (savings.overallSavingsBytes ?? 0) : 0,
    textCompressionLcpSavingsMs: Math.round(compression?.metricSavings?.LCP ?? 0),
    benchmarkIndex: Math.round(lhr.environment.benchmarkIndex),
  };
}

function medianSample(samples: PageSample[]): PageSample | undefined {
  if (samples.length === 0) return undefined;
  const median = (k: keyof PageSample) => {
    const v = samples.map((s) => s[k]).sort((a, b) => a - b);
    const mid = Math.floor(v.length / 2);
    return v.length % 2 ? v[mid]! : +((v[mid - 1]! + v[mid]!) / 2).toFixed(3);
  };
  return Object.fromEntries(Object.keys(samples[0]!).map((k) => [k, median(k as keyof PageSample)])) as unknown as PageSample;
}

/** Audits scoring under 0.9 in a category's visible groups (metrics aside: they are reported as numbers), worst first. */
function failingAudits(lhr: Result): string[] {
  const out: { rank: number; line: string }[] = [];
  for (const c of CATEGORIES) {
    for (const ref of lhr.categories[c]?.auditRefs ?? []) {
      const a = lhr.audits[ref.id];
      if (!a || ref.group === 'metrics' || ref.group === 'hidden' || a.score === null || a.score >= 0.9) continue;
      if (a.scoreDisplayMode === 'informative' || a.scoreDisplayMode === 'notApplicable' || a.scoreDisplayMode === 'manual') continue;
      out.push({ rank: a.score - ref.weight, line: `${c}: ${a.id} (${a.score}) ${a.title}${a.displayValue ? ` — ${a.displayValue}` : ''}` });
    }
  }
  return out.sort((x, y) => x.rank - y.rank).slice(0, 10).map((o) => o.line);
}

/** Debian's Chromium with a debugging port for Lighthouse to drive (its own download is impossible here). */
async function launchForLighthouse(): Promise<{ port: number; version: string; stop(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'atrium-lighthouse-'));
  const child = spawn(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`Chromium gave no debugging port in 30 s: ${seen.slice(-500)}`)), 30_000);
    child.stderr.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const m = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`Chromium exited (${code}) before listening: ${seen.slice(-500)}`)));
  });
  const version = ((await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()) as { Browser: string }).Browser;
  return {
    port,
    version,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;

export function lighthouseRows(r: Awaited<ReturnType<typeof benchLighthouse>>): string[] {
  return r.pages.map((p) => {
    const label = `| Lighthouse ${p.path} as ${p.who} (${p.profile === 'desktop' ? 'desktop, 1920×1080' : 'phone, slow 4G'}): performance / accessibility / best practices`;
    if (!p.present) return `${label} | not present |`;
    const c = p.compressed;
    const u = p.uncompressed;
    if (!c || !u) return `${label} | failed: ${(p.errors ?? []).join('; ')} |`;
    return `${label} | ${c.performance} / ${c.accessibility} / ${c.bestPractices}; LCP ${c.lcpMs} ms (${u.lcpMs} ms uncompressed; same-trace estimate of compression's saving ${u.textCompressionLcpSavingsMs} ms), FCP ${c.fcpMs} ms, TBT ${c.tbtMs} ms, CLS ${c.cls}; transfer ${kib(c.transferBytes)} (×${p.transferRatio} of ${kib(u.transferBytes)} uncompressed) |`;
  });
}
