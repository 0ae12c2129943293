/**
 * One check for every options object functionfuse takes: a key it does not know is a typo or a
 * misplaced option (`{ thread: 2 }` for `threads`), which would otherwise be accepted and do
 * nothing. The message names the key, the closest known name when one is close, and them all.
 */

/**
 * Throws a TypeError for the first own key of `given` that is not in `known`.
 *
 * @param what What the keys are, for the message: `'ThreadWorkflow option'`, `'storage config key'`.
 * @param knownLabel How the list of known keys is introduced.
 *
 * @example
 * refuseUnknownKeys({ thread: 2 }, ['workflowName', 'threads'], 'ThreadWorkflow option');
 * // TypeError: Unknown ThreadWorkflow option `thread` (did you mean `threads`?); known options: workflowName, threads
 */
export function refuseUnknownKeys(
  given: object,
  known: readonly string[],
  what: string,
  knownLabel = 'known options',
): void {
  for (const key of Object.keys(given)) {
    if (known.includes(key)) continue;
    const closest = closestName(key, known);
    const hint = closest === undefined ? '' : ` (did you mean \`${closest}\`?)`;
    throw new TypeError(`Unknown ${what} \`${key}\`${hint}; ${knownLabel}: ${known.join(', ')}`);
  }
}

/**
 * The known name nearest to `name` in edit distance (a swap of two neighbours counts as one
 * edit), ignoring case, when it is near enough to be a plausible typo: at most a third of the
 * name's letters wrong, one at least, and none for names under three letters (where every
 * name is near). Ties go to the earlier name in `known`.
 *
 * @example
 * closestName('thread', ['workflowName', 'threads']); // 'threads'
 * closestName('bogus', ['name', 'module']);           // undefined
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const wanted = name.toLowerCase();
  const tolerance = wanted.length < 3 ? 0 : Math.max(1, Math.floor(wanted.length / 3));
  let best: string | undefined;
  let bestDistance = tolerance + 1;
  for (const candidate of known) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance, with three rows (option names are short). */
function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      let distance = Math.min(
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, (beforePrevious[j - 2] as number) + 1);
      }
      current[j] = distance;
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] as number;
}
