/**
 * Composition root: reads the configuration, starts the service and stops it once on
 * SIGTERM or SIGINT (a second signal exits at once).
 */
import pino from 'pino';
import { ConfigError, SHUTDOWN_EXIT_MARGIN_MS, loadConfig, type Config } from './config.js';
import { prettyDestination } from './log-format.js';
import { SDK_WARNING_SWITCH, nodeSupport } from './node-support.js';
import { startService } from './service.js';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const options = {
  level: config.logLevel,
  redact: ['*.password', '*.secretAccessKey', '*.authorization', '*.Authorization'],
};
const logger = config.logFormat === 'pretty' ? pino(options, prettyDestination()) : pino(options);

// Before any S3 client exists: the SDK reads its switch when a client is created.
const node = nodeSupport(process.version, process.env);
if (node.silenceSdkWarning) process.env[SDK_WARNING_SWITCH] = 'true';
if (node.notice !== undefined) logger.info({ node: process.version }, node.notice);

// Log in the service's own format before Node ends the process on a programming error.
process.on('uncaughtException', (err) => {
  logger.fatal({ err }, 'uncaught exception');
  logger.flush();
  process.exit(1);
});
process.on('unhandledRejection', (err) => {
  logger.fatal({ err }, 'unhandled rejection');
  logger.flush();
  process.exit(1);
});

try {
  const service = await startService(config, logger);
  logger.info({ role: config.role }, 'opencast-s3-distribution started');
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // A broker that stops answering must not keep the process from ending.
    setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting');
      logger.flush();
      process.exit(1);
    }, config.shutdownGraceMs + SHUTDOWN_EXIT_MARGIN_MS).unref();
    service.close().then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exitCode = 0;
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (err) {
  // The reason in the message itself: the line people read first says what to fix.
  logger.fatal({ err }, `could not start: ${err instanceof Error ? err.message : String(err)}`);
  logger.flush();
  process.exit(1);
}
