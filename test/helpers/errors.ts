// What a function throws, for tests that assert refusals and their messages.
import { RunnerError } from '../../src/runner/internal';

/** The message of what `fn` throws (fails the test when it does not throw). */
export function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (err: any) {
    return String(err?.message ?? err);
  }
  throw new Error('expected an error, but none was thrown');
}

/** The RunnerError `fn` throws (fails the test when it throws nothing or something else). */
export function runnerErrorOf(fn: () => unknown): RunnerError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RunnerError);
    return err as RunnerError;
  }
  throw new Error('expected a RunnerError');
}
