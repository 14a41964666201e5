/**
 * Prometheus metrics of one process, served at `/metrics`. Counters and histograms are
 * fed from the few places where work starts and ends (the command handler, event
 * publishing, the HTTP middleware), so the rest of the code knows nothing of them.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The metrics a process records. */
export interface Metrics {
  readonly registry: Registry;
  /** A command delivery was handled with this disposition (or the handler threw: `error`). */
  commandHandled(disposition: string): void;
  /** An event was published: its routing key, how long the command took, bytes it wrote. */
  eventPublished(routingKey: string, durationMs: number, bytesWritten: number): void;
  /** An HTTP request was answered. `route` is the matched route pattern, not the path. */
  httpAnswered(method: string, route: string, status: number, seconds: number): void;
}

/**
 * Creates the metrics of this process, with Node's default process metrics under their
 * standard names (`process_cpu_seconds_total`, `nodejs_heap_size_used_bytes`, ...), which
 * stock Node.js dashboards and alerts look for; only this service's own metrics carry the
 * `ocs3_` prefix.
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const commands = new Counter({
    name: 'ocs3_commands_handled_total',
    help: 'Command deliveries handled, by disposition (ack, dead-letter, requeue, error)',
    labelNames: ['disposition'],
    registers: [registry],
  });
  const events = new Counter({
    name: 'ocs3_events_total',
    help: 'Events published, by routing key (e.g. distribute.completed, retract.failed)',
    labelNames: ['routing_key'],
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'ocs3_command_duration_seconds',
    help: 'Time from the start of a command to its event, by routing key',
    labelNames: ['routing_key'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800],
    registers: [registry],
  });
  const bytes = new Counter({
    name: 'ocs3_distributed_bytes_total',
    help: 'Bytes written to the object store by completed distributions',
    registers: [registry],
  });
  const http = new Histogram({
    name: 'ocs3_http_request_duration_seconds',
    help: 'HTTP requests, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300],
    registers: [registry],
  });
  return {
    registry,
    commandHandled: (disposition) => {
      commands.inc({ disposition });
    },
    eventPublished: (routingKey, durationMs, bytesWritten) => {
      events.inc({ routing_key: routingKey });
      durations.observe({ routing_key: routingKey }, durationMs / 1000);
      if (bytesWritten > 0) bytes.inc(bytesWritten);
    },
    httpAnswered: (method, route, status, seconds) => {
      http.observe({ method, route, status: String(status) }, seconds);
    },
  };
}
