/**
 * Routing frames on the wire: link-state adverts (who is linked to whom) and routed messages (unicast, broadcast,
 * their acknowledgements and failures, and signaling carried through the mesh). They share data channels with the
 * membership messages (`src/core/wire.ts`) in the same envelope (`src/core/envelope.ts`), under kind `r` and this
 * protocol's own version, so the two protocols' versions move independently. Data pieces (`uni`, `bc`) travel as
 * binary frames (`src/core/binary-envelope.ts`): the same fields as a JSON header, the piece's bytes raw after it,
 * so payloads cross the mesh without base64. Control frames (`ack`, `fail`, `sig`) and adverts stay text; each
 * form refuses the other's kinds. Decoding never throws.
 */
import { openBinaryFrame, wrapBinaryFrame } from '../core/binary-envelope';
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
  /** This piece's payload: raw bytes for data (`uni`, `bc`), JSON text for ack and fail, signed text for sig. */
  body: string | Uint8Array;
}

/** Kinds whose pieces carry payload bytes and so travel as binary frames. */
export function isDataKind(kind: RouteKind): kind is 'uni' | 'bc' {
  return kind === 'uni' || kind === 'bc';
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
  /** Pieces of one message: 256 KiB (plus its content tag byte) in 12 000-byte pieces is 22; slack kept. */
  maxPieces: 32,
  /** Longest text body, in characters (the frame stays ≤ 16 KiB with a full trace). */
  maxBodyChars: 14_000,
  /** Longest binary piece, in bytes (with the largest header the frame stays ≤ 16 KiB). */
  maxBodyBytes: 12_000,
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

/**
 * Encodes one routing message as a whole frame (envelope included): bytes for a data piece, text otherwise. The
 * caller keeps bodies within `ROUTE_LIMITS` (the router's pieces do), so the frame stays ≤ 16 KiB.
 */
export function encodeRouteMessage(message: RouteMessage): string | Uint8Array {
  if (message.t === 'r' && message.frame.body instanceof Uint8Array) {
    return wrapBinaryFrame('r', ROUTE_PROTOCOL_VERSION, routedHeaderJson(message.frame), message.frame.body);
  }
  return wrapFrame('r', ROUTE_PROTOCOL_VERSION, encodeRouteBody(message));
}

/**
 * Exact byte length of `encodeRouteMessage(message)`. Link-state adverts, by far the most frequent routing frames,
 * are sized arithmetically (IDs are ASCII and need no escaping), so the simulator can count their traffic for
 * thousands of nodes without building text it would throw away; routed frames are encoded.
 */
export function encodedRouteSize(message: RouteMessage): number {
  if (message.t !== 'lsa') {
    const frame = encodeRouteMessage(message);
    return typeof frame === 'string' ? frame.length : frame.byteLength;
  }
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

/** The header of a binary data piece: a routed frame's fields without its body. */
function routedHeaderJson(f: RoutedFrame): string {
  return JSON.stringify({ t: 'r', k: f.kind, o: f.origin, d: f.target ?? '', m: f.msgId, tr: f.trace, i: f.piece, c: f.pieces });
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

/** Validates a routed frame's fields; `payload` is the binary frame's bytes, absent for a text frame. */
function decodeFrame(record: Record<string, unknown>, payload?: Uint8Array): RoutedFrame | RouteDecodeError {
  const { k, o, d, m, tr, i, c, p } = record;
  if (typeof k !== 'string' || !KINDS.includes(k as RouteKind)) return 'bad-shape';
  const kind = k as RouteKind;
  // Data travels only as bytes, control only as text: one form per kind leaves nothing to reconcile.
  if (isDataKind(kind) !== (payload !== undefined)) return 'bad-shape';
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
  let body: string | Uint8Array;
  if (payload !== undefined) {
    if (p !== undefined || payload.length > ROUTE_LIMITS.maxBodyBytes) return 'bad-shape';
    body = payload;
  } else {
    if (typeof p !== 'string' || p.length > ROUTE_LIMITS.maxBodyChars) return 'bad-shape';
    body = p;
  }
  return { kind, origin: o, target, msgId: m, trace: tr as NodeId[], piece: i as number, pieces: c as number, body };
}

/** Result of decoding one routing frame. */
export type RouteDecodeResult = { ok: true; message: RouteMessage; dropped: number } | { ok: false; error: RouteDecodeError };

/**
 * Decodes one whole frame (envelope and body); `not-routing` means its envelope is of another kind. The driver
 * opens the envelope once itself and calls `decodeRouteBody`; this is for tests and tools.
 */
export function decodeRouteMessage(frame: string | Uint8Array): RouteDecodeResult {
  if (frame instanceof Uint8Array) {
    const binary = openBinaryFrame(frame, MAX_ROUTE_FRAME_BYTES);
    if (!binary.ok) return { ok: false, error: binary.error === 'bad-json' ? 'bad-json' : 'bad-shape' };
    return decodeRouteBinary(binary.version, binary.header, binary.payload);
  }
  const opened = openFrame(frame, MAX_ROUTE_FRAME_BYTES);
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

/**
 * Validates a binary routing frame (a data piece) whose envelope is already open: its header must be a routed
 * frame of a data kind, at this protocol's version. The payload is copied, so the frame's buffer can go. Never throws.
 */
export function decodeRouteBinary(version: number, header: unknown, payload: Uint8Array): RouteDecodeResult {
  if (version !== ROUTE_PROTOCOL_VERSION) return { ok: false, error: 'bad-version' };
  if (!isRecord(header)) return { ok: false, error: 'bad-shape' };
  if (header['t'] !== 'r') return { ok: false, error: typeof header['t'] === 'string' ? 'unknown-type' : 'bad-shape' };
  const frame = decodeFrame(header, payload.slice());
  if (typeof frame === 'string') return { ok: false, error: frame };
  return { ok: true, message: { t: 'r', frame }, dropped: 0 };
}
