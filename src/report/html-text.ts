/**
 * Text into HTML and SVG markup. Node names are arbitrary user strings, so every one that
 * reaches the report goes through here.
 */
import { labelLines } from '../graph-drawing/label-text.js';

/**
 * `text` escaped for HTML or XML content and double-quoted attribute values, on one line,
 * with characters XML cannot hold made visible (as in the drawings).
 *
 * @example
 * escapeMarkup('a < b & "c"'); // 'a &lt; b &amp; &quot;c&quot;'
 */
export function escapeMarkup(text: string): string {
  return labelLines(text)
    .join(' ')
    .replace(/[&<>"']/g, (character) => entities[character] as string);
}

const entities: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * A number of milliseconds for a table cell: `0.42 ms`, `12.3 ms`, `1.25 s`.
 *
 * @example
 * formatMs(1250); // '1.25 s'
 */
export function formatMs(milliseconds: number): string {
  if (milliseconds >= 1000) return `${(milliseconds / 1000).toFixed(2)} s`;
  if (milliseconds >= 10) return `${milliseconds.toFixed(1)} ms`;
  return `${milliseconds.toFixed(2)} ms`;
}

/**
 * A byte count for people: `0 B`, `512 B`, `8.0 KiB`, `1.5 MiB`.
 *
 * @example
 * formatBytes(1536); // '1.5 KiB'
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
