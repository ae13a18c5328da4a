/** Typed error codes, events with an AbortSignal, leaving (docs/api.md). Compiled by `npm run typecheck`. */
import { isMeshError, joinMesh, type MeshMessage } from 'starmesh';

export async function chat(room: string, signal: string, abort: AbortSignal): Promise<void> {
  const mesh = await joinMesh({
    room,
    signal,
    iceServers: [{ urls: 'stun:stun.example.org:3478' }],
    persistence: 'memory', // nothing kept in IndexedDB
    options: { gossipIntervalMs: 5_000 },
  });
  // Every listener goes away when `abort` fires; `on` also returns its own unsubscribe function.
  mesh.on('message', (message: MeshMessage) => {
    if (message.data instanceof Uint8Array) console.log(`${message.data.byteLength} bytes from ${message.from}`);
    else console.log(message.from, message.data);
  }, { signal: abort });
  const offState = mesh.on('state', ({ state, detail }) => console.log('state', state, detail ?? ''));
  abort.addEventListener('abort', () => {
    offState();
    void mesh.leave();
  }, { once: true });

  for (const peer of mesh.peers()) {
    try {
      const receipt = await mesh.send(peer.id, `hello ${peer.id}`);
      console.log(`delivered in ${receipt.hops} hops, ${receipt.rttMs} ms round trip: ${receipt.trace.join(' → ')}`);
    } catch (error) {
      // `unreachable`, `timeout`, `stopped`, …: stable codes to branch on.
      if (isMeshError(error) && error.code === 'unreachable') continue;
      throw error;
    }
  }
}
