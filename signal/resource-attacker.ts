/**
 * The hostile side of the resource test (`resource.test.ts`), run as its own process so that its work does not
 * slow the test's well-behaved client: `node --import tsx signal/resource-attacker.ts <port> <attack>...`.
 * Attacks: `sockets` (every socket, room and pending connection an address may hold, and more, re-opened as
 * they close), `slow-readers` (members that never read, sent big signals), `fragments` (messages of tiny
 * fragments that never end, pings in between, and trickled frames), `deep` (deeply nested payloads). Four
 * addresses (127.<net>.0.10–13, `<net>` the first argument after the port) attack at once. Prints `ready` once
 * every attack's first wave has been answered; runs until killed.
 */
import type { Socket } from 'node:net';
import { generateKeyPair, identityFromKeyPair, type KeyIdentity } from '../src/identity/keys';
import { OPCODE, clientFrame, deepJson, rawClient, rawJoin, rawSocket, type RawClient } from './attack-tools';


/** Addresses attacking at once (each with its own per-address limits to exhaust). */
const ADDRESSES = 4;

/**
 * Keeps `open()` running `count` times over: whatever closes is re-opened a second later, whatever fails (the
 * server cut it) after a back-off doubling to 8 s. A client that retries without pause is a connection flood,
 * which is the firewall's to stop (see signal/README.md, *Limits*), not the server's.
 */
function keep(count: number, open: () => Promise<Socket>): Promise<void> {
  const firstWave: Array<Promise<unknown>> = [];
  for (let i = 0; i < count; i++) {
    let backoffMs = 1000;
    const again = (): Promise<unknown> => {
      const openedAt = performance.now();
      return open().then(
        (socket) =>
          socket.once('close', () => {
            // Cut at once: the server refused it; held a while: it had its time.
            backoffMs = performance.now() - openedAt < 500 ? Math.min(8000, backoffMs * 2) : 1000;
            setTimeout(again, backoffMs);
          }),
        () => {
          backoffMs = Math.min(8000, backoffMs * 2);
          setTimeout(again, backoffMs);
        },
      );
    };
    firstWave.push(again());
  }
  // Resolves once every first attempt has been answered (opened or refused): the attack is under way.
  return Promise.all(firstWave).then(() => undefined);
}

async function identity(): Promise<KeyIdentity> {
  return identityFromKeyPair(await generateKeyPair());
}

/** A joined member; retried until the server lets it in (the attacker's own limits may be spent for a while). */
async function joined(port: number, address: string, room: string): Promise<{ client: RawClient; id: KeyIdentity }> {
  for (;;) {
    try {
      const client = await rawClient(port, address);
      const id = await identity();
      await rawJoin(client, room, id);
      return { client, id };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** More sockets and rooms than an address may have, pending connections, header tricklers. */
async function socketsAttack(port: number, address: string, tag: string): Promise<void> {
  let n = 0;
  const members = keep(80, async () => {
    const client = await rawClient(port, address);
    const id = await identity();
    await rawJoin(client, `${tag}-room-${n++ % 24}`, id).catch(() => {});
    return client.socket;
  });
  const idle = keep(70, async () => {
    const socket = await rawSocket(port, address);
    socket.on('error', () => {});
    return socket;
  });
  const tricklers = keep(5, async () => {
    const socket = await rawSocket(port, address);
    socket.on('error', () => {});
    socket.write('GET / HTTP/1.1\r\n');
    const drip = setInterval(() => socket.write('X'), 200);
    socket.once('close', () => clearInterval(drip));
    return socket;
  });
  await Promise.all([members, idle, tricklers]);
}

/** Receivers that stop reading; senders that send them big signals as fast as the server lets them. */
async function slowReadersAttack(port: number, address: string, tag: string): Promise<void> {
  const room = `${tag}-slow`;
  const receivers: string[] = [];
  const spawnReceiver = async (): Promise<void> => {
    const { client, id } = await joined(port, address, room);
    client.socket.pause();
    receivers.push(id.id);
    if (receivers.length > 4) receivers.shift();
  };
  for (let i = 0; i < 4; i++) await spawnReceiver();
  setInterval(() => void spawnReceiver().catch(() => {}), 1000);
  const big = 'x'.repeat(60_000);
  await keep(8, async () => {
    const { client } = await joined(port, address, room);
    let turn = 0;
    const pump = setInterval(() => {
      const to = receivers[turn++ % Math.max(1, receivers.length)];
      if (to !== undefined && client.socket.writableLength < 1_000_000) {
        client.sendText(JSON.stringify({ v: 1, t: 'signal', to, data: big }));
      }
      client.frames.length = 0;
    }, 22);
    client.socket.once('close', () => clearInterval(pump));
    return client.socket;
  });
}

/** Messages of tiny fragments with pings between them, never finished; frames whose payload trickles. */
async function fragmentsAttack(port: number, address: string): Promise<void> {
  const fragments = keep(56, async () => {
    const client = await rawClient(port, address);
    client.socket.setNoDelay(true);
    client.socket.write(clientFrame(OPCODE.text, '{', false));
    let sent = 1;
    const drip = setInterval(() => {
      if (sent++ < 7) client.socket.write(clientFrame(OPCODE.continuation, ' ', false));
      client.socket.write(clientFrame(OPCODE.ping, ''));
      client.frames.length = 0;
    }, 100);
    client.socket.once('close', () => clearInterval(drip));
    return client.socket;
  });
  const trickles = keep(8, async () => {
    const client = await rawClient(port, address);
    const frame = clientFrame(OPCODE.text, 'y'.repeat(60_000));
    let at = 0;
    const drip = setInterval(() => {
      client.socket.write(frame.subarray(at, at + 64));
      at += 64;
    }, 100);
    client.socket.once('close', () => clearInterval(drip));
    return client.socket;
  });
  await Promise.all([fragments, trickles]);
}

/** Deeply nested payloads, relayed between members and before any hello. */
async function deepAttack(port: number, address: string, tag: string): Promise<void> {
  const room = `${tag}-deep`;
  const target = await joined(port, address, room);
  const deep = deepJson(30_000);
  const members = keep(4, async () => {
    const { client } = await joined(port, address, room);
    const pump = setInterval(() => {
      client.sendText(`{"v":1,"t":"signal","to":"${target.id.id}","data":${deep}}`);
      client.frames.length = 0;
    }, 25);
    client.socket.once('close', () => clearInterval(pump));
    return client.socket;
  });
  const strangers = keep(4, async () => {
    const client = await rawClient(port, address);
    const pump = setInterval(() => {
      client.sendText(deep);
      client.frames.length = 0;
    }, 25);
    client.socket.once('close', () => clearInterval(pump));
    return client.socket;
  });
  await Promise.all([members, strangers]);
}

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const net = Number(process.argv[3]);
  const attacks = process.argv.slice(4);
  const addresses = Array.from({ length: ADDRESSES }, (_, i) => `127.${net}.0.${10 + i}`);
  // On a slow machine the first wave may take long; after a few seconds the attack is under way regardless.
  const enough = new Promise((resolve) => setTimeout(resolve, 8000).unref());
  const firstWaves = Promise.all(
    addresses.flatMap((address, i) =>
      attacks.map(async (attack) => {
        const tag = `x${i}`;
        if (attack === 'sockets') await socketsAttack(port, address, tag);
        else if (attack === 'slow-readers') await slowReadersAttack(port, address, tag);
        else if (attack === 'fragments') await fragmentsAttack(port, address);
        else if (attack === 'deep') await deepAttack(port, address, tag);
        else throw new Error(`unknown attack ${attack}`);
      }),
    ),
  );
  await Promise.race([firstWaves, enough]);
  console.log('ready');
}

main().catch((error: unknown) => {
  console.error(`attacker: ${String(error)}`);
  process.exitCode = 1;
});
