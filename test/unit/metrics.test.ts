import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics.js';

describe('metrics names', () => {
  it('serve the default process metrics under the standard names stock dashboards use', async () => {
    const names = (await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name);
    for (const standard of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_version_info',
    ]) {
      expect(names).toContain(standard);
    }
    expect(names.filter((n) => /^ocs3_(process|nodejs)_/.test(n))).toEqual([]);
  });

  it("keep the service's own prefix on the service's own metrics", async () => {
    const names = (await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name);
    const own = names.filter((n) => !/^(process|nodejs)_/.test(n));
    expect(own.sort()).toEqual([
      'ocs3_command_duration_seconds',
      'ocs3_commands_handled_total',
      'ocs3_distributed_bytes_total',
      'ocs3_events_total',
      'ocs3_http_request_duration_seconds',
    ]);
  });
});
