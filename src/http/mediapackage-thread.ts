/**
 * The worker-thread side of {@link createMediapackageParser}: parses one mediapackage per
 * message and answers the requested elements, or the error's code and message.
 */
import { parentPort } from 'node:worker_threads';
import { isAppError } from '../errors.js';
import { parseMediaPackage, pickElements } from '../opencast/mediapackage.js';
import type { ParseReply, ParseTask } from './mediapackage-parser.js';

const port = parentPort;
if (port === null) throw new Error('mediapackage-thread runs only as a worker thread');
port.on('message', (task: ParseTask) => {
  let reply: ParseReply;
  try {
    const mediaPackage = pickElements(parseMediaPackage(task.xml, task.limits), task.elementIds);
    reply = { ok: true, mediaPackage };
  } catch (error) {
    reply = isAppError(error)
      ? { ok: false, code: error.code, message: error.message }
      : { ok: false, code: 'INTERNAL', message: String(error) };
  }
  port.postMessage(reply);
});
