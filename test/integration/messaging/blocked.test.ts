/**
 * A broker resource alarm (memory or disk): publishing must fail fast with
 * BROKER_UNAVAILABLE instead of hanging, also when the alarm is already raised as the
 * connection (re)opens, and work again once the alarm clears.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '../../../src/messaging/broker.js';
import { startAlarmProxy, type AlarmProxy } from '../../helpers/alarm-proxy.js';
import {
  deleteTestTopology,
  recordingLogger,
  startTestBroker,
  waitFor,
  type TestBroker,
} from '../../helpers/rabbit.js';

let broker: TestBroker;
let proxy: AlarmProxy;
let connected: Broker | undefined;
const log = recordingLogger();
const body = Buffer.from('{}');

async function connect(): Promise<Broker> {
  connected = await Broker.connect({
    url: proxy.url,
    prefix: broker.prefix,
    deliveryLimit: 3,
    logger: log,
    confirmTimeoutMs: 3_000,
    connectTimeoutMs: 3_000,
    reconnectInitialDelayMs: 50,
    reconnectMaxDelayMs: 200,
  });
  return connected;
}

async function publishOutcome(b: Broker): Promise<string> {
  try {
    await b.publishEvent('x.y', body, { messageId: `m-${Date.now()}` });
    return 'published';
  } catch (error) {
    return (error as { code?: string }).code ?? 'error';
  }
}

beforeAll(async () => {
  broker = await startTestBroker();
  proxy = await startAlarmProxy(broker.url);
});

afterEach(async () => {
  proxy.blockOnOpen(false);
  await connected?.close({ graceMs: 0 });
  connected = undefined;
});

afterAll(async () => {
  await proxy.close();
  await deleteTestTopology(broker.url, broker.prefix);
  await broker.close();
});

describe('broker resource alarms', () => {
  it('refuses publishes while blocked and accepts them again when unblocked', async () => {
    const b = await connect();
    expect(await publishOutcome(b)).toBe('published');
    proxy.block();
    await waitFor(async () => (await publishOutcome(b)) === 'BROKER_UNAVAILABLE', 3_000, 'refusal');
    proxy.unblock();
    await waitFor(async () => (await publishOutcome(b)) === 'published', 3_000, 'acceptance');
  });

  it('knows of an alarm raised right as the connection reopens', async () => {
    const b = await connect();
    proxy.blockOnOpen(true);
    proxy.drop();
    await waitFor(() => !b.isConnected(), 3_000, 'the disconnect');
    await waitFor(() => b.isConnected(), 5_000, 'the reconnect');
    expect(await publishOutcome(b)).toBe('BROKER_UNAVAILABLE');
    proxy.unblock();
    await waitFor(async () => (await publishOutcome(b)) === 'published', 3_000, 'acceptance');
  });
});
