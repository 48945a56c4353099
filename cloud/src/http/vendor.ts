import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { PUBLIC_DIR } from '@atrium/dashboards';

/**
 * Third-party browser code the pages use, served by the cloud itself: the content security
 * policy allows scripts and styles from this origin only, and a mall's network may have no
 * way out. Each library is resolved the way the dashboards package resolves it (it is that
 * package's dependency), and only the files a page loads are served.
 */
const pagesRequire = createRequire(join(PUBLIC_DIR, 'index.js'));

const LIBRARIES: readonly { prefix: string; packageJson: string; dir: string; files: readonly string[] }[] = [
  { prefix: '/vendor/uplot/', packageJson: 'uplot/package.json', dir: 'dist', files: ['uPlot.iife.min.js', 'uPlot.min.css'] },
];

export const VENDOR_PATHS: readonly string[] = LIBRARIES.flatMap((l) => l.files.map((f) => `${l.prefix}${f}`));

export const vendorRoutes: FastifyPluginAsync = async (app) => {
  for (const lib of LIBRARIES) {
    const allowed = new Set(lib.files.map((f) => `/${f}`));
    await app.register(fastifyStatic, {
      root: join(dirname(pagesRequire.resolve(lib.packageJson)), lib.dir),
      prefix: lib.prefix,
      decorateReply: false,
      index: false,
      allowedPath: (path) => allowed.has(path),
      // versioned by the lockfile, not by name: let the browser revalidate rather than cache blindly
      maxAge: 0,
    });
  }
};
