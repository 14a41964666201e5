import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerAnswers } from '../../helpers/rabbit.js';

const saved = process.env.DOCKER_HOST;
const servers: Server[] = [];
const sockets: Socket[] = [];

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

afterEach(async () => {
  if (saved === undefined) delete process.env.DOCKER_HOST;
  else process.env.DOCKER_HOST = saved;
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise((resolve) => {
          s.close(resolve);
        }),
    ),
  );
});

// The test broker helper must never hang on machines without a Docker engine.
describe('dockerAnswers', () => {
  it('is true when the engine answers /_ping', async () => {
    const port = await listen(
      createHttpServer((req, res) => {
        res.statusCode = req.url === '/_ping' ? 200 : 404;
        res.end('OK');
      }),
    );
    process.env.DOCKER_HOST = `tcp://127.0.0.1:${port}`;
    await expect(dockerAnswers(1_500)).resolves.toBe(true);
  });

  // Without its own timeout the probe would wait forever: the test timeout catches that.
  it('is false when the endpoint accepts but never answers', async () => {
    const port = await listen(createTcpServer((socket) => sockets.push(socket)));
    process.env.DOCKER_HOST = `tcp://127.0.0.1:${port}`;
    await expect(dockerAnswers(300)).resolves.toBe(false);
  });

  it('is false when the socket does not exist or the scheme is unknown', async () => {
    process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
    await expect(dockerAnswers(300)).resolves.toBe(false);
    process.env.DOCKER_HOST = 'npipe:////./pipe/docker_engine';
    await expect(dockerAnswers(300)).resolves.toBe(false);
  });

  it('is false when nothing listens', async () => {
    const port = await listen(createTcpServer());
    await new Promise((resolve) => servers.pop()!.close(resolve));
    process.env.DOCKER_HOST = `tcp://127.0.0.1:${port}`;
    await expect(dockerAnswers(300)).resolves.toBe(false);
  });
});
