import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { hostOf, parseAddress, webhookUrlRefusal, type AddressPolicy } from './webhook-address.ts';

/**
 * One webhook request, made so that it can only reach what the address policy allows: the host
 * is resolved here, every address it resolves to is checked, and the connection goes to the
 * checked address (the HTTP client gets a `lookup` that answers with it, so a DNS answer that
 * changes between check and connect cannot move the request). Redirects are not followed and
 * the answer's body is never read. What comes back is an outcome a merchant may see; the raw
 * error stays in `detail` for the operator's log.
 */
export type Resolve = (host: string) => Promise<readonly { address: string; family: number }[]>;

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), every address in its order. */
export const systemResolve: Resolve = (host) => dnsLookup(host, { all: true, verbatim: true });

export type SendResult =
  /** the receiver answered; its body was not read */
  | { kind: 'answered'; status: number; retryAfter: string | null }
  /** not sent: the URL or an address it resolves to is not allowed (not worth retrying) */
  | { kind: 'refused'; reason: string }
  /** no answer (worth retrying); `reason` for the merchant, `detail` for the operator only */
  | { kind: 'failed'; reason: string; detail: string };

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  policy: AddressPolicy;
  resolve: Resolve;
  /** aborts the attempt (the dispatcher stopping) */
  signal?: AbortSignal;
}

export const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))} s`;

const RESOLVE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ENODATA', 'EAI_FAIL', 'EAI_NONAME', 'ESERVFAIL', 'ENONAME']);
const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN', 'EHOSTDOWN']);

/** A network error in words that say what went wrong without saying what a host answered or which port was open. */
export function describeNetworkError(err: unknown): string {
  const code = String((err as { code?: unknown }).code ?? '');
  if (RESOLVE_CODES.has(code)) return 'could not resolve the host name';
  if (CONNECT_CODES.has(code)) return 'could not connect';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return 'the connection closed before an answer';
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET/.test(code)) return 'TLS failed: the certificate or handshake was not accepted';
  if (code === 'HPE_INVALID_CONSTANT' || code.startsWith('HPE_')) return 'the answer was not valid HTTP';
  return 'could not deliver';
}

class Deadline extends Error {
  override name = 'Deadline';
}
class Interrupted extends Error {
  override name = 'Interrupted';
}

export async function sendWebhook(r: SendRequest): Promise<SendResult> {
  const refusedUrl = webhookUrlRefusal(r.url, r.policy);
  if (refusedUrl !== null) return { kind: 'refused', reason: refusedUrl.startsWith('refused: ') ? refusedUrl : `refused: the URL ${refusedUrl}` };
  const url = new URL(r.url);
  const host = hostOf(url);

  // One deadline for the whole attempt: resolving, connecting and the answer's head.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Deadline()), r.timeoutMs);
  const onStop = () => abort.abort(new Interrupted());
  if (r.signal?.aborted) onStop();
  r.signal?.addEventListener('abort', onStop, { once: true });
  const failure = (err: unknown): SendResult => {
    const why = abort.signal.reason;
    if (why instanceof Deadline) return { kind: 'failed', reason: `timed out after ${seconds(r.timeoutMs)}`, detail: `no answer within ${r.timeoutMs} ms` };
    if (why instanceof Interrupted) return { kind: 'failed', reason: 'interrupted: the cloud stopped during the attempt', detail: 'dispatcher stopping' };
    return { kind: 'failed', reason: describeNetworkError(err), detail: err instanceof Error ? `${(err as { code?: string }).code ?? err.name}: ${err.message}` : String(err) };
  };
  try {
    let addresses: readonly { address: string; family: number }[];
    const literal = parseAddress(host);
    if (literal) addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
    else {
      try {
        addresses = await Promise.race([
          r.resolve(host),
          new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason as Error), { once: true })),
        ]);
      } catch (err) {
        return failure(err);
      }
      if (addresses.length === 0) return { kind: 'failed', reason: 'could not resolve the host name', detail: 'no addresses' };
    }
    // Every address, not just the one we will use: a name must not mix a public and an internal answer.
    for (const a of addresses) {
      const reason = r.policy.refusal(a.address);
      if (reason !== null) return { kind: 'refused', reason: `refused: ${reason}` };
    }
    const pinned: LookupAddress = { address: addresses[0]!.address, family: addresses[0]!.family };
    return await post(r, url, host, pinned, abort.signal).catch(failure);
  } finally {
    clearTimeout(timer);
    r.signal?.removeEventListener('abort', onStop);
  }
}

function post(r: SendRequest, url: URL, host: string, pinned: LookupAddress, signal: AbortSignal): Promise<SendResult> {
  const options: RequestOptions = {
    method: 'POST',
    hostname: host,
    port: url.port === '' ? undefined : Number(url.port),
    path: `${url.pathname}${url.search}`,
    headers: { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) },
    // A fresh connection per attempt: no socket resolved for another request (or merchant) is reused.
    agent: false,
    signal,
    // The checked address, whatever the client asks: with `all` (happy eyeballs) or without.
    lookup: ((_name: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
      if (opts?.all) cb(null, [pinned]);
      else cb(null, pinned.address, pinned.family);
    }) as unknown as RequestOptions['lookup'],
  };
  return new Promise<SendResult>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(options, (res: IncomingMessage) => {
      const retryAfter = res.headers['retry-after'];
      resolve({ kind: 'answered', status: res.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : null });
      // The answer's body is not ours to read (and must not reach a merchant): drop it with the connection.
      res.destroy();
    });
    req.on('error', reject);
    req.end(r.body);
  });
}
