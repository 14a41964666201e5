import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Closers } from '../../../src/compose/closers.js';

const silent = pino({ level: 'silent' });

describe('Closers', () => {
  it('run in reverse order of registration, past a closer that fails', async () => {
    const closers = new Closers(silent);
    const ran: string[] = [];
    closers.push(() => {
      ran.push('store');
      return Promise.resolve();
    });
    closers.push(() => {
      ran.push('broker');
      return Promise.reject(new Error('broker hung up'));
    });
    closers.push(() => {
      ran.push('http');
      return Promise.resolve();
    });
    await closers.close();
    expect(ran).toEqual(['http', 'broker', 'store']);
  });

  it('give every caller the same promise; a call while closing waits for the first', async () => {
    const closers = new Closers(silent);
    let release: () => void = () => undefined;
    let runs = 0;
    closers.push(() => {
      runs += 1;
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    const first = closers.close();
    const second = closers.close();
    expect(second).toBe(first);
    let secondDone = false;
    void second.then(() => {
      secondDone = true;
    });
    await Promise.resolve();
    expect(secondDone).toBe(false);
    release();
    await Promise.all([first, second]);
    expect(secondDone).toBe(true);
    expect(closers.close()).toBe(first);
    expect(runs).toBe(1);
  });

  it('start what is registered with atStart before the first ordered closer finishes', async () => {
    const closers = new Closers(silent);
    const ran: string[] = [];
    closers.atStart(() => ran.push('worker stops taking commands'));
    closers.push(() => {
      ran.push('broker');
      return Promise.resolve();
    });
    closers.push(async () => {
      ran.push('api drains');
      await Promise.resolve();
      ran.push('api drained');
    });
    await closers.close();
    expect(ran).toEqual(['worker stops taking commands', 'api drains', 'api drained', 'broker']);
  });
});
