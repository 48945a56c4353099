import type { Locator } from 'playwright-core';

/**
 * Reading an SLA countdown off a page ("Accept in 2:59:12", "Arrive in 4:05") the way a
 * person reads it, to compare with the cloud's SLA clock.
 */
export function countdownSeconds(text: string): number {
  const m = /\bin (?:(\d+):)?(\d+):(\d\d)$/.exec(text.trim());
  if (!m) throw new Error(`not a countdown: "${text}"`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

/**
 * The countdown's next value, taken the moment the page writes it, with this machine's wall
 * clock (ms) at that moment: a countdown that moves once a second is only exact right then,
 * so comparing it at any other instant would measure the page's refresh rate, not its clock.
 */
export async function nextCountdown(el: Locator, timeoutMs = 5_000): Promise<{ text: string; seconds: number; at: number }> {
  const seen = await el.evaluate(
    (node, limit) =>
      new Promise<{ text: string; at: number }>((resolve, reject) => {
        const before = node.textContent;
        const observer = new MutationObserver(() => {
          if (node.textContent === before) return;
          const at = Date.now();
          observer.disconnect();
          resolve({ text: node.textContent ?? '', at });
        });
        observer.observe(node, { childList: true, characterData: true, subtree: true });
        setTimeout(() => {
          observer.disconnect();
          reject(new Error(`the countdown stayed at "${before}" for ${limit} ms`));
        }, limit);
      }),
    timeoutMs,
  );
  return { ...seen, seconds: countdownSeconds(seen.text) };
}
