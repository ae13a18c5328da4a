/**
 * Routing frames on the wire: link-state adverts (who is linked to whom) and routed messages (unicast, broadcast,
 * their acknowledgements and failures, and signaling carried through the mesh). They share data channels with the
 * membership messages (`src/core/wire.ts`) in the same envelope (`src/core/envelope.ts`), under kind `r` and this
 * protocol's own version, so the two protocols' versions move independently. Decoding never throws.
 */
import { envelopeOverheadBytes, openFrame, wrapFrame } from '../core/envelope';
import { isNodeId, type NodeId } from '../core/wire';

/** Version of the routing frames. */
export const ROUTE_PROTOCOL_VERSION = 1;

/** One node's neighbour list, stamped by that node with a sequence number that only grows. */
export interface LinkAdvert {
  origin: NodeId;
  /** Only the origin advances it (it is the origin's clock in ms, kept strictly increasing). */
  seq: number;
  neighbours: NodeId[];
}

/** Kinds of routed frames: unicast data, broadcast data, delivery ack, delivery failure, mesh signaling. */
export type RouteKind = 'uni' | 'bc' | 'ack' | 'fail' | 'sig';

/** A routed frame: one piece of a message on its way from `origin` to `target` (null for broadcast). */
export interface RoutedFrame {
  kind: RouteKind;
  origin: NodeId;
  target: NodeId | null;
  /** The origin's message ID (with `origin`, the key for duplicate suppression and reassembly). */
  msgId: string;
  /** IDs of the nodes this frame crossed so far, origin first. Never contains a node twice (loop-free). */
  trace: NodeId[];
  /** This piece's index and the message's piece count (1 for short messages). */
  piece: number;
  pieces: number;
  /** Payload text of this piece (base64url for data; JSON for ack, fail and sig). */
  body: string;
}

/** Everything this codec carries. */
export type RouteMessage = { t: 'lsa'; adverts: LinkAdvert[] } | { t: 'r'; frame: RoutedFrame };

/** Caps enforced by the decoder. */
export const ROUTE_LIMITS = Object.freeze({
  /** Longest trace (also the hop limit). */
  maxHops: 16,
  /** Longest neighbour list in one advert (the degree cap is 8; slack for other implementations). */
  maxAdvertNeighbours: 32,
  /** Adverts in one frame. */
  maxAdvertsPerFrame: 128,
  /** Pieces of one message: 256 KiB of data in 12 000-character pieces is 30; a little slack. */
  maxPieces: 32,
  /** Longest piece body, in characters (the frame stays ≤ 16 KiB with a full trace). */
  maxBodyChars: 14_000,
  /** Message IDs are short opaque tokens. */
  maxMsgIdChars: 32,
  /** Largest sequence number accepted (ms timestamps fit; float precision holds). */
  maxSeq: 2 ** 53 - 1,
});

/** Why a routing frame was refused. */
export type RouteDecodeError = 'bad-json' | 'bad-shape' | 'bad-version' | 'not-routing' | 'unknown-type' | 'too-many' | 'loop';

const KINDS: readonly RouteKind[] = ['uni', 'bc', 'ack', 'fail', 'sig'];
const MSG_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Largest routing frame, in UTF-8 bytes (one data-channel message). */
export const MAX_ROUTE_FRAME_BYTES = 16_384;

/** Encodes one routing message as a whole frame (envelope included). */
export function encodeRouteMessage(message: RouteMessage): string {
  return wrapFrame('r', ROUTE_PROTOCOL_VERSION, encodeRouteBody(message));
}

/**
 * Exact byte length of `encodeRouteMessage(message)`. Link-state adverts, by far the most frequent routing frames,
 * are sized arithmetically (IDs are ASCII and need no escaping), so the simulator can count their traffic for
 * thousands of nodes without building text it would throw away; routed frames are encoded.
 */
export function encodedRouteSize(message: RouteMessage): number {
  if (message.t !== 'lsa') return encodeRouteMessage(message).length;
  let size = envelopeOverheadBytes('r', ROUTE_PROTOCOL_VERSION) + '{"t":"lsa","a":[]}'.length + Math.max(0, message.adverts.length - 1);
  for (const advert of message.adverts) {
    // ["origin",seq,["id",…]]
    size += advert.origin.length + String(advert.seq).length + 8 + Math.max(0, advert.neighbours.length - 1);
    for (const id of advert.neighbours) size += id.length + 2;
  }
  return size;
}

function encodeRouteBody(message: RouteMessage): string {
  if (message.t === 'lsa') return JSON.stringify({ t: 'lsa', a: message.adverts.map((a) => [a.origin, a.seq, a.neighbours]) });
  const f = message.frame;
  return JSON.stringify({ t: 'r', k: f.kind, o: f.origin, d: f.target ?? '', m: f.msgId, tr: f.trace, i: f.piece, c: f.pieces, p: f.body });
}

/** Decodes an advert tuple `[origin, seq, [ids]]`, or null. Duplicate neighbours and the origin itself are dropped. */
function decodeAdvert(raw: unknown): LinkAdvert | null {
  if (!Array.isArray(raw) || raw.length !== 3) return null;
  const [origin, seq, list] = raw as unknown[];
  if (!isNodeId(origin)) return null;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0 || seq > ROUTE_LIMITS.maxSeq) return null;
  if (!Array.isArray(list) || list.length > ROUTE_LIMITS.maxAdvertNeighbours) return null;
  const neighbours = new Set<NodeId>();
  for (const id of list) {
    if (!isNodeId(id)) return null;
    if (id !== origin) neighbours.add(id);
  }
  return { origin, seq, neighbours: [...neighbours] };
}

function decodeFrame(record: Record<string, unknown>): RoutedFrame | RouteDecodeError {
  const { k, o, d, m, tr, i, c, p } = record;
  if (typeof k !== 'string' || !KINDS.includes(k as RouteKind)) return 'bad-shape';
  const kind = k as RouteKind;
  if (!isNodeId(o) || typeof m !== 'string' || !MSG_ID_PATTERN.test(m)) return 'bad-shape';
  let target: NodeId | null = null;
  if (kind === 'bc') {
    if (d !== '') return 'bad-shape';
  } else if (isNodeId(d)) {
    target = d;
  } else {
    return 'bad-shape';
  }
  if (!Array.isArray(tr) || tr.length === 0) return 'bad-shape';
  if (tr.length > ROUTE_LIMITS.maxHops) return 'too-many';
  const seen = new Set<string>();
  for (const hop of tr) {
    if (!isNodeId(hop)) return 'bad-shape';
    if (seen.has(hop)) return 'loop';
    seen.add(hop);
  }
  if (tr[0] !== o) return 'bad-shape';
  if (!Number.isSafeInteger(c) || (c as number) < 1) return 'bad-shape';
  if ((c as number) > ROUTE_LIMITS.maxPieces) return 'too-many';
  if (!Number.isSafeInteger(i) || (i as number) < 0 || (i as number) >= (c as number)) return 'bad-shape';
  if (typeof p !== 'string' || p.length > ROUTE_LIMITS.maxBodyChars) return 'bad-shape';
  return { kind, origin: o, target, msgId: m, trace: tr as NodeId[], piece: i as number, pieces: c as number, body: p };
}

/** Result of decoding one routing frame. */
export type RouteDecodeResult = { ok: true; message: RouteMessage; dropped: number } | { ok: false; error: RouteDecodeError };

/**
 * Decodes one whole frame (envelope and body); `not-routing` means its envelope is of another kind. The driver
 * opens the envelope once itself and calls `decodeRouteBody`; this is for tests and tools.
 */
export function decodeRouteMessage(text: string): RouteDecodeResult {
  const opened = openFrame(text, MAX_ROUTE_FRAME_BYTES);
  if (!opened.ok) return { ok: false, error: opened.error === 'bad-json' ? 'bad-json' : 'bad-shape' };
  if (opened.kind !== 'r') return { ok: false, error: 'not-routing' };
  return decodeRouteBody(opened.version, opened.body);
}

/** Validates the body of a routing frame whose envelope is already open, at the envelope's version. Never throws. */
export function decodeRouteBody(version: number, parsed: unknown): RouteDecodeResult {
  if (version !== ROUTE_PROTOCOL_VERSION) return { ok: false, error: 'bad-version' };
  if (!isRecord(parsed)) return { ok: false, error: 'bad-shape' };
  const t = parsed['t'];
  if (typeof t !== 'string') return { ok: false, error: 'bad-shape' };
  if (t !== 'lsa' && t !== 'r') return { ok: false, error: 'unknown-type' };
  if (t === 'lsa') {
    const list = parsed['a'];
    if (!Array.isArray(list)) return { ok: false, error: 'bad-shape' };
    if (list.length > ROUTE_LIMITS.maxAdvertsPerFrame) return { ok: false, error: 'too-many' };
    const adverts: LinkAdvert[] = [];
    let dropped = 0;
    for (const raw of list) {
      const advert = decodeAdvert(raw);
      if (advert === null) dropped++;
      else adverts.push(advert);
    }
    return { ok: true, message: { t: 'lsa', adverts }, dropped };
  }
  const frame = decodeFrame(parsed);
  if (typeof frame === 'string') return { ok: false, error: frame };
  return { ok: true, message: { t: 'r', frame }, dropped: 0 };
}
