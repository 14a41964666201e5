/**
 * docs/asyncapi.json against the code: a valid AsyncAPI 3.0 document whose exchanges, routing
 * keys and payload schemas are those of src/contract and src/messaging, checked with messages
 * the real codecs encode.
 */
import { describe, expect, it } from 'vitest';
import { COMMAND_ROUTING_KEYS, topologyNames } from '../../../src/messaging/topology.js';
import { encodeCommand } from '../../../src/contract/command-codec.js';
import type { Command } from '../../../src/contract/command.js';
import {
  buildEvent,
  buildProgressEvent,
  encodeEvent,
  EVENT_SOURCE,
} from '../../../src/contract/event.js';
import { encodeReply } from '../../../src/contract/reply.js';
import { errorCodes } from '../../../src/errors.js';
import { eventData, rejectedData } from '../../../src/worker/process-command.js';
import { progressSender } from '../../../src/worker/progress-reports.js';
import type { OutgoingProgressEvent } from '../../../src/contract/event.js';
import type { JobReply } from '../../../src/contract/reply.js';
import {
  asyncApiMetaValidator,
  atPointer,
  readDocument,
  schemaValidators,
  unresolvedRefs,
  type JsonObject,
} from '../../helpers/api-documents.js';

const doc = readDocument('asyncapi.json');
const schemaAt = schemaValidators(doc, 'draft-07');
const channels = doc.channels as Record<
  string,
  {
    address: string | null;
    messages: Record<string, { $ref: string }>;
    bindings?: { amqp?: { exchange?: { name: string; type: string } } };
  }
>;

/** The payload validator of the one message of the channel on `exchange` with `address`. */
function payloadOf(exchange: string, address: string) {
  const found = Object.values(channels).filter(
    (c) => c.address === address && c.bindings?.amqp?.exchange?.name === exchange,
  );
  expect(found, `one channel ${exchange} ${address}`).toHaveLength(1);
  const messages = Object.values(found[0]?.messages ?? {});
  expect(messages).toHaveLength(1);
  return schemaAt(`${messages[0]?.$ref ?? ''}/payload`);
}

function expectValid(validate: ReturnType<typeof schemaAt>, body: unknown): void {
  const json: unknown = Buffer.isBuffer(body) ? JSON.parse(body.toString('utf8')) : body;
  expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
}

const names = topologyNames('ocs3');
const command: Command = {
  version: 1,
  type: 'distribute',
  jobId: '4711',
  organization: 'mh_default_org',
  channelId: 'engage-player',
  mediapackage: '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="mp1"/>',
  elementIds: ['presenter-delivery', 'episode-dc'],
  checkAvailability: true,
  creator: 'admin',
};
const started = new Date('2024-10-01T09:10:02.480Z');
const ended = new Date('2024-10-01T09:10:41.007Z');
const progress = { bytesDone: 1048576, bytesTotal: 3145745, elementsDone: 0, elementsTotal: 2 };
const progressEvent = buildProgressEvent(
  {
    jobId: '4711',
    operation: 'distribute',
    organization: 'mh_default_org',
    channelId: 'engage-player',
    mediaPackageId: 'mp1',
    startedAt: started.toISOString(),
    progress,
  },
  ended,
);
const failure = {
  code: 'SOURCE_NOT_FOUND' as const,
  message: 'source answered 404',
  retryable: false,
};

describe('docs/asyncapi.json as a document', () => {
  it('is valid AsyncAPI 3.0 and every $ref resolves', () => {
    const validate = asyncApiMetaValidator();
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    expect(unresolvedRefs(doc)).toEqual([]);
    const broken = structuredClone(doc);
    delete (broken.info as JsonObject).version;
    expect(validate(broken)).toBe(false);
  });

  it('names the exchanges, queues and routing keys of the topology', () => {
    const commandKeys = Object.values(channels)
      .filter((c) => c.bindings?.amqp?.exchange?.name === names.commandsExchange)
      .map((c) => c.address);
    expect(commandKeys.sort()).toEqual([...COMMAND_ROUTING_KEYS].sort());
    const eventKeys = Object.values(channels)
      .filter((c) => c.bindings?.amqp?.exchange?.name === names.eventsExchange)
      .map((c) => c.address);
    const produced = [
      ...(['distribute', 'retract'] as const).flatMap((operation) =>
        (['completed', 'failed'] as const).map(
          (outcome) =>
            buildEvent(outcome, {
              ...eventData({ ...command, type: operation }, undefined, started, ended),
              operation,
            }).routingKey,
        ),
      ),
      buildEvent(
        'failed',
        rejectedData({ body: Buffer.from('x'), deliveryCount: 1 }, 1024, started, ended, failure),
      ).routingKey,
      progressEvent.routingKey,
    ];
    expect(eventKeys.sort()).toEqual(produced.sort());
    expect(channels.opencastJobs?.address).toBe(names.opencastJobsQueue);
    expect(channels.parked?.address).toBe(names.parkingQueue);
    const cloudEvent = atPointer(doc, '#/components/schemas/CloudEvent/properties/source');
    expect(cloudEvent).toEqual({ const: EVENT_SOURCE });
    expect(atPointer(doc, '#/components/schemas/ErrorCode/enum')).toEqual(Object.keys(errorCodes));
  });
});

describe('real messages validate against their payload schemas', () => {
  it('commands, under their routing keys', () => {
    for (const sent of [command, { ...command, type: 'retract' as const, opencastJob: true }]) {
      const encoded = encodeCommand(sent, 'reply-queue');
      expectValid(payloadOf(names.commandsExchange, encoded.routingKey), encoded.body);
    }
  });

  it('replies of every status', () => {
    const validate = schemaAt(`${channels.replies?.messages.jobReply?.$ref ?? ''}/payload`);
    const time = ended.toISOString();
    expectValid(
      validate,
      encodeReply({ version: 1, jobId: '4711', status: 'RUNNING', time }, '4711').body,
    );
    expectValid(
      validate,
      encodeReply({ version: 1, jobId: '4711', status: 'FINISHED', time, payload: '<track/>' }, 'c')
        .body,
    );
    expectValid(
      validate,
      encodeReply({ version: 1, jobId: '4711', status: 'FAILED', time, error: failure }, 'c').body,
    );
  });

  it('progress reports as the worker sends them: the event and the RUNNING reply', async () => {
    const events: OutgoingProgressEvent[] = [];
    const replies: JobReply[] = [];
    await progressSender(command, 'reply-queue', '4711', started, 'mp1', {
      progress: {
        intervalMs: 2000,
        publish: (event) => {
          events.push(event);
          return Promise.resolve();
        },
      },
      sendReply: (_to, _correlation, reply) => {
        replies.push(reply);
        return Promise.resolve();
      },
      clock: () => ended,
      dropped: () => undefined,
    })({ bytesDone: 5, elementsDone: 0, elementsTotal: 2 });
    const [event] = events;
    const [reply] = replies;
    if (event === undefined || reply === undefined) throw new Error('nothing sent');
    const validate = payloadOf(names.eventsExchange, event.routingKey);
    expectValid(validate, encodeEvent(event.event).body);
    expectValid(validate, encodeEvent(progressEvent.event).body);
    const replySchema = schemaAt(`${channels.replies?.messages.jobReply?.$ref ?? ''}/payload`);
    expectValid(replySchema, encodeReply(reply, '4711').body);
    // A completion event is no progress event, and progress needs its counts.
    const completed = buildEvent('completed', eventData(command, undefined, started, ended));
    expect(validate(JSON.parse(encodeEvent(completed.event).body.toString('utf8')))).toBe(false);
    const json = JSON.parse(encodeEvent(progressEvent.event).body.toString('utf8')) as {
      data: JsonObject;
    };
    expect(validate({ ...json, data: { ...json.data, progress: { bytesDone: 1 } } })).toBe(false);
    expect(replySchema({ ...reply, progress: { ...progress, bytesDone: -1 } })).toBe(false);
  });

  it('events of every routing key, in their CloudEvents envelope', () => {
    const element = {
      elementId: 'presenter-delivery',
      elementType: 'track' as const,
      flavor: 'presenter/delivery',
      mimetype: 'video/mp4',
      bucket: 'b',
      key: 'mh_default_org/engage-player/mp1/presenter-delivery/video.mp4',
      url: 'https://cdn.example.org/mh_default_org/engage-player/mp1/presenter-delivery/video.mp4',
      size: 3145745,
      available: true,
    };
    const outcome = {
      operation: 'distribute' as const,
      mediaPackageId: 'mp1',
      payload: '<track/>',
      objects: [element],
    };
    const events = [
      buildEvent('completed', eventData(command, outcome, started, ended)),
      buildEvent('failed', eventData(command, undefined, started, ended, failure)),
      buildEvent(
        'completed',
        eventData(
          { ...command, type: 'retract' },
          { ...outcome, operation: 'retract' },
          started,
          ended,
        ),
      ),
      buildEvent(
        'failed',
        eventData({ ...command, type: 'retract' }, undefined, started, ended, failure),
      ),
      buildEvent(
        'failed',
        rejectedData(
          { body: Buffer.from('{"jobId":"12"'), messageId: 'm1', deliveryCount: 1 },
          1024,
          started,
          ended,
          {
            code: 'INVALID_INPUT',
            message: 'Command is not valid JSON',
            retryable: false,
          },
        ),
      ),
    ];
    for (const { routingKey, event } of events) {
      expectValid(payloadOf(names.eventsExchange, routingKey), encodeEvent(event).body);
    }
  });

  it('malformed messages fail', () => {
    const distribute = payloadOf(names.commandsExchange, 'distribute');
    expect(distribute({ ...command, elementIds: [] })).toBe(false);
    expect(distribute({ ...command, jobId: '47x' })).toBe(false);
    expect(distribute({ ...command, type: 'retract' })).toBe(false);
    const reply = schemaAt(`${channels.replies?.messages.jobReply?.$ref ?? ''}/payload`);
    expect(reply({ version: 1, jobId: '1', status: 'DONE', time: ended.toISOString() })).toBe(
      false,
    );
    const { event } = buildEvent('completed', eventData(command, undefined, started, ended));
    const json = JSON.parse(encodeEvent(event).body.toString('utf8')) as JsonObject;
    // A distribute event on the retract key, an envelope without time, an unknown field.
    expect(payloadOf(names.eventsExchange, 'retract.completed')(json)).toBe(false);
    const completed = payloadOf(names.eventsExchange, 'distribute.completed');
    expect(completed(json)).toBe(true);
    const { time: _time, ...timeless } = json;
    expect(completed(timeless)).toBe(false);
    expect(completed({ ...json, extra: 1 })).toBe(false);
  });
});
