import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Integration tests share one RabbitMQ and start their own S3 servers; keep the
    // number of parallel files small on a 2-core machine.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          // Pure modules and in-process fakes: sharing one module graph per worker thread
          // cuts the run to a third (imports dominate). Tests that touch globals (fake timers,
          // env) restore them in afterEach.
          isolate: false,
          pool: 'threads',
          include: ['test/unit/**/*.test.ts'],
          // Unit tests touch no service: a slow one is a bug, not a busy broker.
          testTimeout: 5_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
