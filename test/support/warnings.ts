/**
 * Captures the process warnings a test expects, so they are asserted instead of printed: a
 * `process.on('warning')` listener alone does not stop Node from printing them on stderr.
 *
 * @example
 * const captured = captureWarnings();
 * try { await run(); } finally { captured.restore(); }
 * expect(captured.warnings).toEqual([{ type: 'FunctionFuseWarning', code: 'FUNCTIONFUSE_CORRUPT_RESULT', message: '...' }]);
 */

/** One call of `process.emitWarning`, as the test sees it. */
export interface CapturedWarning {
  readonly type: string | undefined;
  readonly code: string | undefined;
  readonly message: string;
}

/** What {@link captureWarnings} returns. */
export interface WarningCapture {
  /** The warnings emitted since the capture started, in order. */
  readonly warnings: readonly CapturedWarning[];
  /** Gives `process.emitWarning` back; warnings emitted afterwards are printed again. */
  restore(): void;
}

/**
 * Replaces `process.emitWarning` in this thread until `restore()`, recording each warning
 * instead of emitting it.
 */
export function captureWarnings(): WarningCapture {
  const warnings: CapturedWarning[] = [];
  const original = process.emitWarning;
  const capture = (
    warning: string | Error,
    typeOrOptions?: string | { type?: string; code?: string },
    code?: string,
  ): void => {
    const options = typeof typeOrOptions === 'object' ? typeOrOptions : { type: typeOrOptions, code };
    warnings.push({
      type: options.type ?? (warning instanceof Error ? warning.name : 'Warning'),
      code: options.code,
      message: warning instanceof Error ? warning.message : warning,
    });
  };
  process.emitWarning = capture as typeof process.emitWarning;
  return {
    warnings,
    restore() {
      process.emitWarning = original;
    },
  };
}
