/**
 * Frames of the data channel, both ways. Inbound: a text frame opens through the text envelope
 * (`core/envelope.ts`), a binary frame through the binary one (`core/binary-envelope.ts`), each once; the body
 * then goes to the protocol its kind names, at the version the envelope carries, and what comes back says which
 * protocol the frame was for. Outbound: a frame is a membership message (always text) or a routing message (text,
 * or bytes for a data piece), encoded by its own codec.
 */
import { openBinaryFrame, type BinaryEnvelopeError } from '../core/binary-envelope';
import { openFrame, type EnvelopeError } from '../core/envelope';
import { decodeMembershipBody, DEFAULT_WIRE_LIMITS, encodeMessage, type DecodeResult, type MembershipMessage, type WireLimits } from '../core/wire';
import { decodeRouteBinary, decodeRouteBody, encodeRouteMessage, type RouteDecodeResult, type RouteMessage } from '../routing/route-wire';

/** An inbound frame, decoded for the protocol it belongs to, or refused before either protocol saw it. */
export type DecodedFrame =
  | { kind: 'membership'; result: DecodeResult }
  | { kind: 'routing'; result: RouteDecodeResult }
  | { kind: 'refused'; error: EnvelopeError | BinaryEnvelopeError };

/** An outbound frame, still as an object (the simulator may count its size without encoding it). */
export type OutFrame = { kind: 'membership'; message: MembershipMessage } | { kind: 'routing'; message: RouteMessage };

/** Decodes one inbound frame, text or bytes. Never throws; every refusal comes back as a value with a stable code. */
export function decodeFrame(frame: unknown, limits: WireLimits = DEFAULT_WIRE_LIMITS): DecodedFrame {
  if (frame instanceof Uint8Array) return decodeBinaryFrame(frame, limits);
  const opened = openFrame(frame, limits.maxMessageBytes);
  if (!opened.ok) return { kind: 'refused', error: opened.error };
  switch (opened.kind) {
    case 'm':
      return { kind: 'membership', result: decodeMembershipBody(opened.version, opened.body, limits) };
    case 'r':
      return { kind: 'routing', result: decodeRouteBody(opened.version, opened.body) };
  }
}

function decodeBinaryFrame(frame: Uint8Array, limits: WireLimits): DecodedFrame {
  const opened = openBinaryFrame(frame, limits.maxMessageBytes);
  if (!opened.ok) return { kind: 'refused', error: opened.error };
  // Only routing has a binary form today (the binary envelope knows no other kind byte).
  if (opened.kind !== 'r') return { kind: 'refused', error: 'unknown-kind' };
  return { kind: 'routing', result: decodeRouteBinary(opened.version, opened.header, opened.payload) };
}

/** Encodes one outbound frame as what the data channel carries: text, or bytes for a routed data piece. */
export function encodeFrame(frame: OutFrame): string | Uint8Array {
  return frame.kind === 'membership' ? encodeMessage(frame.message) : encodeRouteMessage(frame.message);
}
