/** A signaling server and a Node member in one process (docs/api.md). Compiled by `npm run typecheck`. */
import { joinMesh } from 'starmesh/node';
import { startSignalServer } from 'starmesh/server';

export async function alwaysOnMember(): Promise<() => Promise<void>> {
  const server = await startSignalServer({ port: 8787, host: '127.0.0.1', allowedOrigins: ['http://127.0.0.1:5173'] });
  // A Node member needs `@roamhq/wrtc` installed (an optional peer dependency of `starmesh/node`).
  const bot = await joinMesh({ room: 'lobby', signal: server.url });
  bot.on('message', ({ from, data }) => {
    if (typeof data === 'string') void bot.send(from, `echo: ${data}`).catch(() => undefined);
  });
  return async () => {
    await bot.leave();
    await server.close();
  };
}
