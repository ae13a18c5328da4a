import type { SignalingClient, SignalingEvents } from '../adapters/signaling-client';
import type { BroadcastSignaling } from '../adapters/broadcast-signaling';
import type { NodeId } from '../core/wire';
import { consoleHandlerErrors, createEmitter } from '../util/emitter';

/**
 * Two signaling paths as one client: tabs of this browser over BroadcastChannel, everyone else through the
 * server. Joining succeeds when either path works, so a tab finds its siblings with the server down; signals
 * go to a sibling locally and to anyone else through the server.
 */
export function createSignalingMux(server: SignalingClient, local: BroadcastSignaling): SignalingClient {
  const emitter = createEmitter<SignalingEvents>(consoleHandlerErrors('signaling'));
  let serverUp = false;
  server.on('signal', (event) => emitter.emit('signal', event));
  local.on('signal', (event) => emitter.emit('signal', event));
  server.on('error', (event) => emitter.emit('error', event));
  server.on('role', (event) => emitter.emit('role', event));
  server.on('close', (event) => {
    serverUp = false;
    emitter.emit('close', event);
  });

  return {
    async connect() {
      const [fromServer, fromLocal] = await Promise.allSettled([server.connect(), local.connect()]);
      if (fromServer.status === 'fulfilled') serverUp = true;
      const localPeers = fromLocal.status === 'fulfilled' ? fromLocal.value.peers : [];
      if (fromServer.status === 'rejected' && localPeers.length === 0) throw fromServer.reason;
      const serverPeers = fromServer.status === 'fulfilled' ? fromServer.value.peers : [];
      const id = fromServer.status === 'fulfilled' ? fromServer.value.id : (fromLocal as PromiseFulfilledResult<{ id: NodeId }>).value.id;
      const introducer = fromServer.status === 'fulfilled' && fromServer.value.introducer;
      return { id, peers: unique([...localPeers, ...serverPeers]), introducer };
    },
    isIntroducer: () => server.isIntroducer(),
    send(to, data) {
      return local.hasPeer(to) ? local.send(to, data) : server.send(to, data);
    },
    reachesLocally: (to) => local.hasPeer(to),
    async requestPeers() {
      const localPeers = await local.requestPeers();
      if (!serverUp) {
        if (localPeers.length > 0) return localPeers;
        throw Object.assign(new Error('signaling server unreachable'), { code: 'closed' });
      }
      return unique([...localPeers, ...(await server.requestPeers())]);
    },
    close() {
      server.close();
      local.close();
    },
    // The server goes; the BroadcastChannel stays, so new sibling tabs still find this one without a server.
    release() {
      server.close();
    },
    on(event, handler) {
      return emitter.on(event, handler);
    },
  };
}

function unique(ids: NodeId[]): NodeId[] {
  return [...new Set(ids)];
}
