/**
 * Throwaway module for e2e/smoke.spec.ts. Exposes `window.rtcSmoke`, driven by
 * Playwright: one tab makes an offer, the test carries it to the other tab,
 * and the answer back. SDP is exchanged after ICE gathering completes, so no
 * trickle and no signaling server are needed. Two flavours: plain
 * RTCPeerConnection, and simple-peer through its browser bundle (proves the
 * Vite config serves it without Node built-ins).
 */
// Bare 'simple-peer' gets its types from @types/simple-peer; vite.config.ts aliases it
// to the self-contained browser bundle 'simple-peer/simplepeer.min.js'.
import SimplePeer from 'simple-peer';

/** What the test can call in the page. */
export interface RtcSmoke {
  createOffer(): Promise<string>;
  acceptOffer(offer: string): Promise<string>;
  acceptAnswer(answer: string): Promise<void>;
  send(text: string): void;
  isOpen(): boolean;
  received(): string[];
  localCandidates(): string[];
  peerOffer(): Promise<string>;
  peerAnswer(offer: string): Promise<string>;
  peerAcceptAnswer(answer: string): void;
}

let pc: RTCPeerConnection | undefined;
let channel: RTCDataChannel | undefined;
let peer: SimplePeer.Instance | undefined;
const inbox: string[] = [];
const candidates: string[] = [];

function newConnection(): RTCPeerConnection {
  const conn = new RTCPeerConnection({ iceServers: [] });
  conn.addEventListener('icecandidate', (e) => {
    if (e.candidate) candidates.push(e.candidate.candidate);
  });
  conn.addEventListener('datachannel', (e) => attach(e.channel));
  pc = conn;
  return conn;
}

function attach(ch: RTCDataChannel): void {
  channel = ch;
  ch.addEventListener('message', (e) => inbox.push(String(e.data)));
}

async function gathered(conn: RTCPeerConnection): Promise<string> {
  if (conn.iceGatheringState !== 'complete') {
    await new Promise<void>((resolve) => {
      conn.addEventListener('icegatheringstatechange', () => {
        if (conn.iceGatheringState === 'complete') resolve();
      });
    });
  }
  return JSON.stringify(conn.localDescription);
}

/** simple-peer in non-trickle mode emits one complete 'signal' per side. */
function nextSignal(p: SimplePeer.Instance): Promise<string> {
  return new Promise((resolve) => p.once('signal', (data) => resolve(JSON.stringify(data))));
}

function newPeer(initiator: boolean): SimplePeer.Instance {
  const p = new SimplePeer({ initiator, trickle: false, config: { iceServers: [] } });
  p.on('data', (data: Uint8Array) => inbox.push(new TextDecoder().decode(data)));
  p.on('error', (err) => inbox.push(`error: ${err.message}`));
  peer = p;
  return p;
}

const api: RtcSmoke = {
  async createOffer() {
    const conn = newConnection();
    attach(conn.createDataChannel('smoke'));
    await conn.setLocalDescription(await conn.createOffer());
    return gathered(conn);
  },
  async acceptOffer(offer) {
    const conn = newConnection();
    await conn.setRemoteDescription(JSON.parse(offer) as RTCSessionDescriptionInit);
    await conn.setLocalDescription(await conn.createAnswer());
    return gathered(conn);
  },
  async acceptAnswer(answer) {
    await pc?.setRemoteDescription(JSON.parse(answer) as RTCSessionDescriptionInit);
  },
  send(text) {
    if (peer) peer.send(text);
    else channel?.send(text);
  },
  isOpen() {
    return peer ? peer.connected : channel?.readyState === 'open';
  },
  received: () => [...inbox],
  localCandidates: () => [...candidates],
  peerOffer() {
    return nextSignal(newPeer(true));
  },
  peerAnswer(offer) {
    const p = newPeer(false);
    const answer = nextSignal(p);
    p.signal(JSON.parse(offer) as SimplePeer.SignalData);
    return answer;
  },
  peerAcceptAnswer(answer) {
    peer?.signal(JSON.parse(answer) as SimplePeer.SignalData);
  },
};

(window as unknown as { rtcSmoke: RtcSmoke }).rtcSmoke = api;
