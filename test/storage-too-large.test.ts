/**
 * A record or raw part this Node cannot hold in memory is damage like any other: it is read as
 * `too-large` (the node runs again), never a crash. A real one would take gigabytes, so the
 * failures Node and V8 give for it are fed to the mapping the readers use.
 */
import { describe, expect, it } from 'vitest';
import { unreadableProblem } from '../src/storage/record-file.js';
import { RecordProblem } from '../src/storage/record-format.js';

function withCode(message: string, code: string): RangeError {
  return Object.assign(new RangeError(message), { code });
}

describe('a stored file too large for this Node', () => {
  it.each([
    [
      'a file past readFile’s limit',
      withCode('File size (3221225472) is greater than 2 GiB', 'ERR_FS_FILE_TOO_LARGE'),
    ],
    [
      'a buffer past its limit',
      withCode('Cannot create a Buffer larger than 4294967296 bytes', 'ERR_BUFFER_TOO_LARGE'),
    ],
    ['an allocation that failed', new RangeError('Array buffer allocation failed')],
  ])('reads %s as too-large, naming the file', (_, error) => {
    const problem = unreadableProblem(error, 'raw part 0', '/store/wf/big.0.raw');
    expect(problem).toBeInstanceOf(RecordProblem);
    expect(problem).toMatchObject({ reason: 'too-large', filePath: '/store/wf/big.0.raw', cause: error });
    expect((problem as Error).message).toBe(`raw part 0 is too large to read (${error.message})`);
  });

  it('leaves any other RangeError alone: it is a bug, not damage', () => {
    const bug = new RangeError('Invalid count value: -1');
    expect(unreadableProblem(bug, 'the record', '/store/wf/n.ffr')).toBe(bug);
  });
});
