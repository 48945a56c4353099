import { readFile, watch } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { RULES_FILE_ACTOR, type DispatchService } from './dispatch-service.ts';

/**
 * Hot reload: when the rules file changes on disk it is loaded; a file that does not pass is
 * refused with its field paths, reasons and lines in the log, and the running rules stay.
 * Editors save in bursts (truncate, write, rename), so a change waits for the file to settle;
 * the folder is watched, not the file, because a rename-on-save replaces the file watched.
 */
export function watchRulesFile(path: string, deps: { dispatch: DispatchService; logger: Logger; settleMs?: number }): () => void {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let lastText: string | null = null;
  const load = async () => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      deps.logger.warn({ err, path }, 'rules file unreadable; the running rules stay');
      return;
    }
    if (text === lastText) return;
    lastText = text;
    const r = await deps.dispatch.reloadRules(text, RULES_FILE_ACTOR);
    if (r.ok) deps.logger.info({ path, version: r.version.version }, 'rules file reloaded');
    else deps.logger.error({ path, issues: r.issues }, `${r.error.message}\nthe running rules stay; fix the file and save it again`);
  };
  void (async () => {
    try {
      lastText = await readFile(path, 'utf8');
      for await (const change of watch(dirname(path), { signal: ac.signal, persistent: false })) {
        if (change.filename !== null && change.filename !== basename(path)) continue;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => void load(), deps.settleMs ?? 200);
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError') deps.logger.warn({ err, path }, 'cannot watch the rules file; reload it through PUT /api/v1/rules');
    }
  })();
  return () => {
    if (timer) clearTimeout(timer);
    ac.abort();
  };
}
