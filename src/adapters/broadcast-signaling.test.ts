import { describe, expect, it } from 'vitest';
import { createBroadcastSignaling, type BroadcastChannelLike } from './broadcast-signaling';

/** An in-memory BroadcastChannel: every channel of one name hears every other (not itself), asynchronously. */
function hub() {
  const channels = new Map<string, Set<BroadcastChannelLike>>();
  const open = (name: string): BroadcastChannelLike => {
    const channel: BroadcastChannelLike = {
      onmessage: null,
      postMessage(message) {
        const copy = structuredClone(message);
        for (const other of channels.get(name) ?? []) {
          if (other !== channel) queueMicrotask(() => other.onmessage?.({ data: copy }));
        }
      },
      close() {
        channels.get(name)?.delete(channel);
      },
    };
    if (!channels.has(name)) channels.set(name, new Set());
    channels.get(name)?.add(channel);
    return channel;
  };
  return { open, inject: (name: string, data: unknown) => open(name).postMessage(data) };
}

const A = 'AAAAAAAAAAAAAAAAAAAAAA';
const B = 'BBBBBBBBBBBBBBBBBBBBBB';
const C = 'CCCCCCCCCCCCCCCCCCCCCC';

describe('BroadcastChannel signaling', () => {
  it('finds sibling tabs of the room, relays signals to the addressee only, and forgets tabs that leave', async () => {
    const { open } = hub();
    const a = createBroadcastSignaling({ room: 'r', id: A, openChannel: open, discoveryMs: 5 });
    const b = createBroadcastSignaling({ room: 'r', id: B, openChannel: open, discoveryMs: 5 });
    const c = createBroadcastSignaling({ room: 'other', id: C, openChannel: open, discoveryMs: 5 });
    await a.connect();
    await c.connect();
    expect((await b.connect()).peers).toEqual([A]);
    expect(a.hasPeer(B)).toBe(true);
    expect(a.hasPeer(C)).toBe(false);

    const atB: unknown[] = [];
    const atC: unknown[] = [];
    b.on('signal', (event) => atB.push(event));
    c.on('signal', (event) => atC.push(event));
    expect(a.send(B, { k: 'dial' })).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(atB).toEqual([{ from: A, data: { k: 'dial' } }]);
    expect(atC).toEqual([]);

    b.close();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(a.hasPeer(B)).toBe(false);
    expect(b.send(A, {})).toBe(false);
  });

  it('ignores malformed messages and counts them as errors, never throwing', async () => {
    const { open, inject } = hub();
    const a = createBroadcastSignaling({ room: 'r', id: A, openChannel: open, discoveryMs: 5, maxMessageChars: 100 });
    const errors: string[] = [];
    const signals: unknown[] = [];
    a.on('error', (event) => errors.push(event.code));
    a.on('signal', (event) => signals.push(event));
    await a.connect();
    for (const junk of [null, 'text', [1], { v: 2, t: 'announce', from: B }, { v: 1, t: 'announce', from: '__proto__' },
      { v: 1, t: 'signal', from: B, to: A }, { v: 1, t: 'signal', from: B, to: A, data: 'x'.repeat(200) }, { v: 1, t: 'nope', from: B, to: A }]) {
      inject('starmesh:r', junk);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(errors).toHaveLength(8);
    expect(signals).toEqual([]);
    expect(a.hasPeer('__proto__')).toBe(false);
    expect(await a.requestPeers()).toEqual([]);
  });
});
