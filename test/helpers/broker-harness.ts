import { connect } from 'amqplib';
import type { Channel, ChannelModel } from 'amqplib';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { Broker } from '../../src/messaging/broker.js';
import type { BrokerOptions, Delivery } from '../../src/messaging/broker.js';
import {
  deleteTestTopology,
  recordingLogger,
  startFaultProxy,
  startTestBroker,
  type FaultProxy,
  type TestBroker,
} from './rabbit.js';

/** What a messaging integration test works with; the fields are set in `beforeAll`. */
export interface BrokerHarness {
  broker: TestBroker;
  /** A fault proxy in front of the broker, accepting again after each test. */
  proxy: FaultProxy;
  /** A plain amqplib connection and channel for inspecting the broker. */
  admin: ChannelModel;
  ch: Channel;
  readonly log: ReturnType<typeof recordingLogger>;
  /** Connects a Broker with short test timeouts; closed after each test. */
  start(overrides?: Partial<BrokerOptions> & { viaProxy?: boolean }): Promise<Broker>;
  /** Opens a reply queue, remembered so that afterAll deletes it whatever happens. */
  openReplies(b: Broker, replies: Delivery[]): Promise<string>;
  /** Remembers a reply queue opened by hand, for afterAll to delete. */
  trackReplyQueue(name: string): void;
}

/**
 * Registers the hooks of a messaging integration test file (unique topology, fault proxy,
 * cleanup) and returns its harness. `viaProxyByDefault` decides where `start()` connects.
 */
export function useBrokerHarness(viaProxyByDefault: boolean): BrokerHarness {
  const open: Broker[] = [];
  const replyQueues: string[] = [];
  const harness = {
    log: recordingLogger(),
    async start(overrides: Partial<BrokerOptions> & { viaProxy?: boolean } = {}) {
      const { viaProxy = viaProxyByDefault, ...options } = overrides;
      const instance = await Broker.connect({
        url: viaProxy ? harness.proxy.url : harness.broker.url,
        prefix: harness.broker.prefix,
        deliveryLimit: 3,
        logger: harness.log,
        confirmTimeoutMs: 3_000,
        connectTimeoutMs: 3_000,
        reconnectInitialDelayMs: 50,
        reconnectMaxDelayMs: 200,
        ...options,
      });
      open.push(instance);
      return instance;
    },
    async openReplies(b: Broker, replies: Delivery[]) {
      const name = await b.openReplyQueue((d) => replies.push(d));
      replyQueues.push(name);
      return name;
    },
    trackReplyQueue(name: string) {
      replyQueues.push(name);
    },
  } as BrokerHarness;

  beforeAll(async () => {
    harness.broker = await startTestBroker();
    harness.proxy = await startFaultProxy(harness.broker.url);
    harness.admin = await connect(harness.broker.url);
    harness.admin.on('error', () => undefined);
    harness.ch = await harness.admin.createChannel();
    harness.ch.on('error', () => undefined);
  });

  afterEach(async () => {
    harness.proxy.setAccepting(true);
    await Promise.all(open.splice(0).map((b) => b.close({ graceMs: 0 })));
    harness.log.entries.length = 0;
  });

  afterAll(async () => {
    await harness.proxy.close();
    await harness.admin.close();
    await deleteTestTopology(harness.broker.url, harness.broker.prefix, { queues: replyQueues });
    await harness.broker.close();
  });

  return harness;
}
