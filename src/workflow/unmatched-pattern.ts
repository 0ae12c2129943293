import { closestName } from '../options/unknown-keys.js';
import type { NamePattern } from './pattern.js';

/** How many of a workflow's names a warning lists, so that a large graph's stays one line. */
const namesShown = 5;
/** How many names a misspelling is compared with: the warning of a huge graph stays quick. */
const namesSpellChecked = 10_000;

/**
 * Warns that `pattern` matched no node of a workflow, so the call `describeCall` names
 * (`query('load').setOptions()`, `logNodes('plot_.*')`) set nothing. A misspelt or unanchored pattern otherwise fails silently: a node meant to be shared,
 * retried or seeded simply is not, and nothing says so. A warning rather than an error, because
 * code that configures several graphs alike may name nodes that one of them lacks; its code
 * (`FUNCTIONFUSE_UNMATCHED_PATTERN`) lets such code filter it.
 */
export function warnUnmatchedPattern(
  workflowName: string,
  pattern: NamePattern,
  describeCall: (shownPattern: string) => string,
  names: readonly string[],
): void {
  process.emitWarning(describeUnmatchedPattern(workflowName, pattern, describeCall, names), {
    type: 'FunctionFuseWarning',
    code: 'FUNCTIONFUSE_UNMATCHED_PATTERN',
  });
}

/** The warning's text: what matched nothing, and the names that might have been meant. */
export function describeUnmatchedPattern(
  workflowName: string,
  pattern: NamePattern,
  describeCall: (shownPattern: string) => string,
  names: readonly string[],
): string {
  const shown = typeof pattern === 'string' ? `'${pattern}'` : String(pattern);
  const partly = partlyMatched(pattern, names);
  const closest =
    typeof pattern === 'string' ? closestName(pattern, names.slice(0, namesSpellChecked)) : undefined;
  const hint =
    partly.length > 0
      ? ` It matches part of ${quoteSome(partly)}: a pattern matches whole names, so write ` +
        `${widened(pattern)} (or the part before or after) to match those.`
      : closest !== undefined
        ? ` Did you mean "${closest}"?`
        : ` Its names: ${quoteSome(names)}.`;
  return `${describeCall(shown)} matched no node of workflow "${workflowName}", so it set nothing.${hint}`;
}

/** The names that `pattern` matches somewhere inside, though not as a whole. */
function partlyMatched(pattern: NamePattern, names: readonly string[]): string[] {
  const unanchored = new RegExp(
    patternSource(pattern),
    typeof pattern === 'string' ? 'u' : pattern.flags.replace(/[gy]/g, ''),
  );
  return names.filter((name) => unanchored.test(name));
}

/** `pattern` with any characters allowed around it, written as the user wrote the pattern. */
function widened(pattern: NamePattern): string {
  const source = patternSource(pattern);
  const inner = source.includes('|') ? `.*(?:${source}).*` : `.*${source}.*`;
  return typeof pattern === 'string' ? `'${inner}'` : `/${inner}/${pattern.flags.replace(/[gy]/g, '')}`;
}

function patternSource(pattern: NamePattern): string {
  return typeof pattern === 'string' ? pattern : pattern.source;
}

function quoteSome(names: readonly string[]): string {
  const quoted = names.slice(0, namesShown).map((name) => `"${name}"`);
  const more = names.length - namesShown;
  return more > 0 ? `${quoted.join(', ')} and ${more} more` : quoted.join(', ');
}
