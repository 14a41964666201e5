import { describe, expect, it } from 'vitest';
import { startDeadline } from '../../../src/distribution/deadline.js';
import { AppError } from '../../../src/errors.js';

describe('startDeadline', () => {
  it('aborts with DEADLINE_EXCEEDED once the time is up, and explains a failure it caused', async () => {
    const deadline = startDeadline(new AbortController().signal, 20, 'distribute job 7');
    await new Promise((resolve) => {
      deadline.signal.addEventListener('abort', resolve, { once: true });
    });
    expect(deadline.signal.reason).toMatchObject({ code: 'DEADLINE_EXCEEDED', retryable: false });
    const adapterError = new AppError('SOURCE_UNAVAILABLE', 'Reading source x was aborted');
    const explained = deadline.explain(adapterError);
    expect(explained).toMatchObject({ code: 'DEADLINE_EXCEEDED', cause: adapterError });
    expect((explained as AppError).message).toMatch(/distribute job 7.*20 ms.*Reading source x/);
    deadline.clear();
  });

  it("passes the caller's abort on with the caller's reason, and explains nothing", () => {
    const caller = new AbortController();
    const deadline = startDeadline(caller.signal, 60_000, 'retract job 1');
    const reason = new AppError('SHUTTING_DOWN', 'stopping');
    caller.abort(reason);
    expect(deadline.signal.reason).toBe(reason);
    const error = new Error('x');
    expect(deadline.explain(error)).toBe(error);
    deadline.clear();
  });

  it('leaves failures alone while time remains, and is only the caller without a deadline', () => {
    const caller = new AbortController().signal;
    const running = startDeadline(caller, 60_000, 'distribute job 2');
    const error = new AppError('STORAGE_REJECTED', 'denied');
    expect(running.explain(error)).toBe(error);
    expect(running.signal.aborted).toBe(false);
    running.clear();
    expect(startDeadline(caller, undefined, 'x').signal).toBe(caller);
  });
});
