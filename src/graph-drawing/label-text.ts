/**
 * Node names are arbitrary strings, but a drawing ends up as XML (SVG) or HTML (Mermaid), which
 * cannot hold every character: control characters are not allowed in XML 1.0 and a lone
 * surrogate is not valid UTF-8. This module makes any name printable before a format escapes
 * it, so every format shows the same text for the same name.
 */

/** Code points that XML 1.0 forbids or that would be invisible, besides line breaks. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose
const unprintable = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]/g;
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const lineBreak = /\r\n|[\r\n\u2028\u2029]/;

/**
 * The lines a label shows for `text`: split at line breaks (`\n`, `\r\n`, `\r`, U+2028,
 * U+2029), with C0 controls and DEL made visible as their Unicode control pictures (`␀`..`␟`,
 * `␡`) and everything else unprintable replaced by U+FFFD.
 *
 * @example
 * labelLines('line\nbreak');   // ['line', 'break']
 * labelLines('bell\u0007');    // ['bell␇']
 */
export function labelLines(text: string): string[] {
  return text
    .replace(loneSurrogate, '\ufffd')
    .split(lineBreak)
    .map((line) => line.replace(unprintable, visibleControl));
}

function visibleControl(character: string): string {
  const code = character.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return '\ufffd';
}
