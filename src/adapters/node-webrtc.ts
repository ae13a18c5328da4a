/**
 * The Node WebRTC implementation behind simple-peer: the only module that imports a Node WebRTC package, so the
 * choice is made here. The default is `@roamhq/wrtc` (libwebrtc) behind `wrtcForSimplePeer`, which keeps simple-peer
 * off the native getter that crashed it; `werift` (pure TypeScript, cannot crash natively) is loadable by name
 * (`npm run soak:rtc -- --impl werift`) but lost data channel messages in bursts. Figures and why: README, "Node
 * WebRTC".
 *
 * Neither is a drop-in for simple-peer, so each gets a small shim; each override says which simple-peer habit it
 * serves.
 */
import type * as Werift from 'werift';
import { hasStunServer, type IceServer } from '../transport/ice-servers';

/** The Node WebRTC implementations this project can run on. */
export type NodeWebRtcName = 'werift' | 'wrtc';

/** The implementation Node peers, tests and benches use unless told otherwise. */
export const DEFAULT_NODE_WEBRTC: NodeWebRtcName = 'wrtc';

/** Where a Node peer gathers its ICE host candidates. */
export interface NodeRtcConfigOptions {
  /**
   * Only 127.0.0.1 (werift; wrtc has no such switch and gathers every interface, loopback included). For peers that
   * all run on this machine: tests, benches, the soak. Loopback also keeps their traffic off every real interface.
   */
  loopbackOnly?: boolean;
}

/** What simple-peer needs from one implementation: its `wrtc` option and an RTCConfiguration. */
export interface NodeWebRtc {
  readonly name: NodeWebRtcName;
  /** simple-peer's `wrtc` option: RTCPeerConnection, RTCSessionDescription, RTCIceCandidate. */
  readonly wrtc: object;
  /**
   * The platform part of the RTCConfiguration, without ICE servers (peers on one host or LAN). ICE servers are the
   * link's `ice` option (`CreateLinkOptions.ice`), put over this by the WebRTC adapter.
   */
  rtcConfig(options?: NodeRtcConfigOptions): object;
}

/** True for a name this module can load. */
export function isNodeWebRtcName(value: unknown): value is NodeWebRtcName {
  return value === 'werift' || value === 'wrtc';
}

/**
 * Loads an implementation (dynamic import: a process loads only the one it runs on, and a machine without the
 * native `@roamhq/wrtc` build can still load werift).
 */
export async function loadNodeWebRtc(name: NodeWebRtcName = DEFAULT_NODE_WEBRTC): Promise<NodeWebRtc> {
  if (name === 'wrtc') {
    const wrtc = (await import('@roamhq/wrtc')).default as WrtcModule;
    return { name, wrtc: wrtcForSimplePeer(wrtc), rtcConfig: () => ({ iceServers: [] }) };
  }
  const werift = await import('werift');
  return { name, wrtc: weriftForSimplePeer(werift), rtcConfig: weriftRtcConfig };
}

/** The part of `@roamhq/wrtc` simple-peer uses. */
interface WrtcModule {
  RTCPeerConnection: new (config?: object) => object;
  RTCSessionDescription: unknown;
  RTCIceCandidate: unknown;
}

/** A session description as simple-peer reads it. */
interface DescriptionInit {
  type: string;
  sdp: string;
}

/**
 * `@roamhq/wrtc` with its description getters kept off the native side. Backtrace of its SIGSEGV in the soak
 * (README, "Node WebRTC"): `RTCPeerConnection::GetLocalDescription` → `JsepSessionDescription::ToString` →
 * `webrtc::SdpSerialize`, on the main thread, while libwebrtc's signaling thread changes or frees that
 * description (it adds gathered candidates to it, and close() frees it). simple-peer reads `localDescription` after
 * every setLocalDescription and `remoteDescription` for every remote candidate. The proxy answers both from the
 * descriptions this side set (with trickle ICE those are what simple-peer needs), so the racy native getter is
 * never called.
 */
export function wrtcForSimplePeer(wrtc: WrtcModule): object {
  function PeerConnection(config?: object): object {
    const pc = new wrtc.RTCPeerConnection(config) as Record<string | symbol, unknown>;
    let local: DescriptionInit | null = null;
    let remote: DescriptionInit | null = null;
    const copy = (d: DescriptionInit): DescriptionInit => ({ type: d.type, sdp: d.sdp });
    const overrides: Record<string, unknown> = {
      setLocalDescription: async (d: DescriptionInit) => {
        await (pc['setLocalDescription'] as (d: DescriptionInit) => Promise<void>).call(pc, d);
        local = copy(d);
      },
      setRemoteDescription: async (d: DescriptionInit) => {
        await (pc['setRemoteDescription'] as (d: DescriptionInit) => Promise<void>).call(pc, d);
        remote = copy(d);
      },
    };
    return new Proxy(pc, {
      get(target, key) {
        if (key === 'localDescription') return local;
        if (key === 'remoteDescription') return remote;
        if (typeof key === 'string' && key in overrides) return overrides[key];
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
  return { RTCPeerConnection: PeerConnection, RTCSessionDescription: wrtc.RTCSessionDescription, RTCIceCandidate: wrtc.RTCIceCandidate };
}

function weriftRtcConfig(options: NodeRtcConfigOptions = {}): object {
  if (options.loopbackOnly !== true) return { iceServers: [] };
  // werift skips loopback interfaces when it gathers; turning both families off and naming 127.0.0.1 as an extra
  // host address leaves exactly one UDP host candidate on loopback.
  return { iceServers: [], iceUseIpv4: false, iceUseIpv6: false, iceAdditionalHostAddresses: ['127.0.0.1'] };
}

/** The parts of werift's RTCPeerConnection the shim reaches into (private in its typings). */
interface WeriftInternals {
  isClosed: boolean;
  sctpManager: { close(): Promise<void> };
  secureManager: { createTransport(): { iceTransport: { connection: { stunServer?: unknown } } } };
}

/** werift's data channel transport, as the empty-string fix uses it. */
interface WeriftSctpTransport {
  dataChannelQueue: Array<[Werift.RTCDataChannel, number, Buffer]>;
  dataChannelFlush(): Promise<void>;
}

/** SCTP payload protocol identifier of an empty string message (RFC 8831, section 8). */
const WEBRTC_STRING_EMPTY = 56;

/**
 * werift's classes shaped the way simple-peer 9 uses the browser's. Relies on werift internals (pinned version in
 * package.json); the Node WebRTC tests (src/adapters/webrtc-transport.test.ts) and the soak catch a change.
 */
export function weriftForSimplePeer(werift: typeof Werift): object {
  class PeerConnection extends werift.RTCPeerConnection {
    constructor(config?: Partial<Werift.PeerConfig>) {
      super(config);
      // werift's ICE agent falls back to a public STUN server (stun.l.google.com) when none is configured, and
      // setLocalDescription waits up to 5 s for that query. No STUN server configured must mean none at all.
      if (!hasStunServer((config?.iceServers ?? []) as IceServer[])) {
        const internals = this as unknown as WeriftInternals;
        const manager = internals.secureManager;
        const createTransport = manager.createTransport.bind(manager);
        manager.createTransport = () => {
          const transport = createTransport();
          transport.iceTransport.connection.stunServer = undefined;
          return transport;
        };
      }
      this.onDataChannel.subscribe((channel) => fitChannel(channel));
    }

    override createDataChannel(...args: Parameters<Werift.RTCPeerConnection['createDataChannel']>): Werift.RTCDataChannel {
      return fitChannel(super.createDataChannel(...args));
    }

    // simple-peer rewrites `offer.sdp` in place; werift's descriptions are read-only.
    override async createOffer(...args: Parameters<Werift.RTCPeerConnection['createOffer']>): Promise<Werift.RTCSessionDescription> {
      const offer = await super.createOffer(...args);
      return { type: offer.type, sdp: offer.sdp } as Werift.RTCSessionDescription;
    }

    override async createAnswer(): Promise<Werift.RTCSessionDescription> {
      const answer = await super.createAnswer();
      return { type: answer.type, sdp: answer.sdp } as Werift.RTCSessionDescription;
    }

    // simple-peer takes a getStats with a parameter for the legacy callback form, whose callback werift never
    // calls: the link would wait for 'connect' forever. With no parameter it uses the promise form.
    override getStats(): Promise<Werift.RTCStatsReport> {
      return super.getStats();
    }

    // werift closes DTLS before SCTP, so the SCTP ABORT (and a data channel's stream reset) never leaves and the
    // remote learns of the close only when ICE consent fails, 30 s later. Close SCTP first, and let its last
    // datagrams leave (Node's UDP send completes on a later tick) before the sockets close.
    override async close(): Promise<void> {
      const internals = this as unknown as WeriftInternals;
      if (!internals.isClosed) {
        await internals.sctpManager.close().catch(() => undefined);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await super.close();
    }
  }

  function fitChannel(channel: Werift.RTCDataChannel): Werift.RTCDataChannel {
    // simple-peer holds its writes while bufferedAmount is over 64 KiB, until `onbufferedamountlow`, which werift
    // never calls (it has the event only): without this one burst would stall the link for good.
    channel.bufferedAmountLow.subscribe(() => {
      (channel as unknown as { onbufferedamountlow?: () => void }).onbufferedamountlow?.();
    });
    // werift sends '' as a string message with no payload, which never arrives; RFC 8831 sends it as one zero
    // byte under its own payload protocol (56, "WebRTC String Empty"), which werift does read.
    const send = channel.send.bind(channel);
    const sctp = (channel as unknown as { sctp: WeriftSctpTransport }).sctp;
    channel.send = (data) => {
      if (data !== '') return send(data);
      // The flush takes the byte off bufferedAmount once SCTP has it.
      (channel as unknown as { addBufferedAmount(bytes: number): void }).addBufferedAmount(1);
      sctp.dataChannelQueue.push([channel, WEBRTC_STRING_EMPTY, Buffer.from([0])]);
      void sctp.dataChannelFlush();
    };
    return channel;
  }

  // simple-peer calls `new RTCSessionDescription({ type, sdp })`; werift's constructor takes (sdp, type).
  function SessionDescription(init: { type: Werift.RTCSessionDescription['type']; sdp: string }): Werift.RTCSessionDescription {
    return new werift.RTCSessionDescription(init.sdp, init.type);
  }

  return { RTCPeerConnection: PeerConnection, RTCSessionDescription: SessionDescription, RTCIceCandidate: werift.RTCIceCandidate };
}
