import type { HelpTopic } from './args.js';

// Lines stay within 78 columns: help is read in terminals.

const SERVICE = `Service options (each falls back to an environment variable):
  --url <url>          the service's HTTP API (OCS3_URL),
                       e.g. http://127.0.0.1:8080
  --user <name>        its Digest user, AUTH_DIGEST_USER (OCS3_USER)
  --password <secret>  that user's password (OCS3_PASSWORD; prefer the
                       variable: options show in the process list)`;

const BROKER = `Broker options (each falls back to the variable the service reads):
  --amqp-url <url>     RabbitMQ (AMQP_URL; amqp://guest:guest@127.0.0.1:5672)
  --prefix <prefix>    prefix of its queues and exchanges (AMQP_PREFIX; ocs3)`;

const EXIT = `Exit status: 0 done; 1 the job or request failed; 2 bad command line;
3 the service or broker could not be reached.`;

const TEXTS: Record<HelpTopic, string> = {
  main: `ocs3: operate opencast-s3-distribution from a shell.

Usage:
  ocs3 distribute <mediapackage.xml> --channel <id> [--element <id>...]
                  [--sync | --follow]
  ocs3 retract <mediapackage.xml> --channel <id> [--element <id>...]
               [--sync | --follow]
  ocs3 job <id> [--follow | --json]
  ocs3 parked list [--limit <n>] [--json]
  ocs3 parked replay <message-id>... | --all
  ocs3 <command> --help

Commands:
  distribute   publish elements of a mediapackage to S3
  retract      remove published elements again
  job          show a job, or follow it with a progress bar until it ends
  parked       list and replay commands parked in the broker (dead letters)

${SERVICE}

${EXIT}`,

  distribute: `Usage: ocs3 distribute <mediapackage.xml> --channel <id> [options]

Publishes elements of the mediapackage (a file, or - for standard input) to
the channel (POST /distribution/s3). Without --element: every track, catalog
and attachment of the mediapackage. Prints the job id. --sync waits and
prints the distributed elements' XML instead; --follow prints the job id and
follows the job until it ends.

Options:
  -c, --channel <id>        publication channel, e.g. engage-player (required)
  -e, --element <id>        an element id; repeat for more
  --sync                    wait for the result (up to the service's
                            SYNC_TIMEOUT_MS)
  -f, --follow              follow the job with a progress bar until it ends
  --no-check-availability   do not wait for the published URLs to answer
  -h, --help                this text

${SERVICE}

Examples:
  export OCS3_URL=http://127.0.0.1:8080
  ocs3 distribute mp.xml --channel engage-player --sync
  ocs3 distribute mp.xml -c engage-player -e track-1 -e catalog-1 --follow

${EXIT}`,

  retract: `Usage: ocs3 retract <mediapackage.xml> --channel <id> [options]

Removes published elements from the channel (POST /distribution/s3/retract).
The mediapackage (a file, or - for standard input) is the one with the
published URLs. Without --element: every track, catalog and attachment.
Prints the job id; --sync waits and prints the elements.

Options:
  -c, --channel <id>     publication channel (required)
  -e, --element <id>     an element id; repeat for more
  --sync                 wait for the result
  -f, --follow           follow the job until it ends
  -h, --help             this text

${SERVICE}

Example:
  ocs3 retract published-mp.xml --channel engage-player --sync

${EXIT}`,

  job: `Usage: ocs3 job <id> [--follow | --json] [--interval <ms>]

Shows a job (GET /jobs/<id>.json). --follow asks again until the job ends:
on a terminal with a progress bar of the bytes uploaded, drawn in place;
otherwise (logs, pipes) one line whenever something changed. The exit
status is 1 when the job ends FAILED (or DELETED, CANCELLED).

Options:
  -f, --follow           follow the job until it ends
  --interval <ms>        how often --follow asks (200 to 60000; 1000)
  --json                 print the job as the service answers it
  -h, --help             this text

${SERVICE}

Examples:
  ocs3 job 1733400000123456 --follow
  ocs3 job 1733400000123456 --json | jq .progress

${EXIT}`,

  parked: `Usage:
  ocs3 parked list [--limit <n>] [--json]
  ocs3 parked replay <message-id>... | --all

Commands that failed for good or were delivered too often wait in the queue
<prefix>.parked, with the reason in x-ocs3-* headers (docs/messages.md).
These commands connect to RabbitMQ directly.

list     Shows up to --limit parked messages (default 100, at most 10000):
         message id, job, routing key, error code and message. It takes them
         without acknowledging them and hands all of them back (nack with
         requeue) before it ends: nothing is removed and the order stays.
         Each listing counts as a delivery in their x-delivery-count header.
         If the tool dies meanwhile, the broker hands them back itself.
replay   Republishes the named messages (or --all) to <prefix>.commands
         under their original routing key (x-ocs3-routing-key), with body
         and properties but without the x-ocs3-* headers. Each leaves the
         parked queue only once the broker confirmed its copy; the others
         stay. Run one replay at a time.

Options:
  --limit <n>            list at most n messages
  --json                 list as JSON, one message per line
  --all                  replay every parked message
  -h, --help             this text

${BROKER}

Examples:
  ocs3 parked list
  ocs3 parked replay 1733400000123456
  AMQP_URL=amqp://ops:secret@rabbit:5672 ocs3 parked replay --all

${EXIT}`,
};

/** The help text of a command. */
export function helpText(topic: HelpTopic): string {
  return `${TEXTS[topic]}\n`;
}
