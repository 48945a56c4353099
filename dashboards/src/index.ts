import { fileURLToPath } from 'node:url';

/** The static pages (control room first); the cloud serves this folder at `/`. */
export const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
