import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster`: tests that start their own three-node RabbitMQ cluster on this
 * machine (root and the rabbitmq-server package needed). Not part of `npm test`.
 */
export default defineConfig({
  test: {
    name: 'cluster',
    include: ['test/cluster/**/*.test.ts'],
    // One cluster at a time: the nodes use fixed ports and names.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 240_000,
  },
});
