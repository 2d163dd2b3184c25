/**
 * Log lines as a log ingester sees them: each must be one JSON object with unique keys (checked with a parser that
 * rejects duplicate keys, unlike JSON.parse) and at most MAX_LOG_LINE_BYTES bytes.
 */
import jsonlint from '@prantlf/jsonlint';
import { MAX_LOG_LINE_BYTES } from '../../src/logging.js';

/** One parsed log line: pino's fields and whatever the line carries. */
export interface LogLine {
  level: number;
  time: number;
  name: string;
  msg?: string;
  [field: string]: unknown;
}

/** Collects what the logger writes: one entry per line. */
export class LogCapture {
  readonly lines: string[] = [];
  readonly write = (line: string): void => void this.lines.push(line);
  /** Bytes written so far (UTF-8). */
  bytes(): number {
    return this.lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
  }
  /** The lines written since `mark` (a length of `lines`), parsed. */
  since(mark: number): LogLine[] {
    return this.lines.slice(mark).map(parseStrict);
  }
  all(): LogLine[] {
    return this.since(0);
  }
}

/** Parses one log line strictly: throws on duplicate keys, on anything but one object, or on a line over the bound. */
export function parseStrict(line: string): LogLine {
  if (!line.endsWith('\n') || line.indexOf('\n') !== line.length - 1) throw new Error(`not exactly one line: ${line.slice(0, 200)}`);
  if (Buffer.byteLength(line) > MAX_LOG_LINE_BYTES) throw new Error(`line of ${Buffer.byteLength(line)} bytes: ${line.slice(0, 200)}`);
  const value = jsonlint.parse(line, { allowDuplicateObjectKeys: false }) as unknown;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`not an object: ${line.slice(0, 200)}`);
  return value as LogLine;
}
