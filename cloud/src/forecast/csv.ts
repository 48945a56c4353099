import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { z } from 'zod';

/**
 * Minimal streaming CSV reading: enough for the pedestrian-count and holiday files
 * (RFC 4180 quoting within a line, CRLF or LF endings), with no dependency.
 * Quoted fields spanning lines are not supported: none of our inputs need them, and
 * refusing them keeps line numbers in error messages exact.
 */

/** Splits one CSV line into fields; returns a reason string when the quoting is broken. */
export function splitCsvLine(line: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return 'unterminated quoted field';
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line[i] !== ',') return 'unexpected character after a quoted field';
      i++;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}

/** Lines of a text file, transparently gunzipped when the name ends in `.gz`. */
export function readLines(path: string): AsyncIterable<string> {
  const raw = createReadStream(path);
  const input: Readable = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  // A gunzip error (truncated file) must reject the reader instead of vanishing.
  raw.on('error', (err) => input.destroy(err));
  return createInterface({ input, crlfDelay: Infinity });
}

/** One record with its 1-based line number in the file (the header is line 1). */
export interface CsvRecord {
  line: number;
  values: Record<string, string>;
}

export class CsvError extends Error {
  override name = 'CsvError';
  constructor(
    readonly source: string,
    readonly line: number,
    readonly field: string | undefined,
    readonly reason: string,
  ) {
    super(`${source} line ${line}${field === undefined ? '' : `, field "${field}"`}: ${reason}`);
  }
}

/**
 * Yields records keyed by header name. The header must hold every required column
 * (extra columns are ignored so exports with more fields still load).
 */
export async function* readCsvRecords(
  lines: AsyncIterable<string> | Iterable<string>,
  required: readonly string[],
  source: string,
): AsyncGenerator<CsvRecord> {
  let header: string[] | undefined;
  let lineNo = 0;
  for await (const rawLine of lines) {
    lineNo++;
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (header === undefined) {
      const cols = splitCsvLine(line.replace(/^\uFEFF/, ''));
      if (typeof cols === 'string') throw new CsvError(source, lineNo, undefined, `bad header: ${cols}`);
      header = cols.map((c) => c.trim());
      for (const name of required) {
        if (!header.includes(name)) throw new CsvError(source, lineNo, name, `missing column in header (found: ${header.join(', ')})`);
      }
      continue;
    }
    if (line.trim() === '') continue;
    const cols = splitCsvLine(line);
    if (typeof cols === 'string') throw new CsvError(source, lineNo, undefined, cols);
    if (cols.length !== header.length) {
      const field = header[Math.min(cols.length, header.length - 1)];
      throw new CsvError(source, lineNo, field, `expected ${header.length} fields, found ${cols.length}`);
    }
    const values: Record<string, string> = {};
    header.forEach((name, i) => {
      values[name] = cols[i] ?? '';
    });
    yield { line: lineNo, values };
  }
  if (header === undefined) throw new CsvError(source, 1, undefined, 'empty file: no header');
}

/** Turns the first zod issue into an error naming the line and field, as a user fixing the file needs. */
export function rowError(source: string, line: number, error: z.ZodError, value: Record<string, string>): CsvError {
  const issue = error.issues[0];
  const field = issue?.path[0] === undefined ? undefined : String(issue.path[0]);
  const got = field === undefined ? '' : ` (got "${value[field] ?? ''}")`;
  return new CsvError(source, line, field, `${issue?.message ?? 'invalid row'}${got}`);
}

/** A CSV cell parsed by a function that returns the value, or a string saying what is wrong with it. */
export function parsedCell<T>(parse: (text: string) => T | string) {
  return z.string().transform((text, ctx) => {
    const value = parse(text.trim());
    if (typeof value === 'string') {
      ctx.addIssue({ code: 'custom', message: value });
      return z.NEVER;
    }
    return value;
  });
}
