/**
 * Frames of the data channel, both ways. Inbound: opens the envelope once (`core/envelope.ts`) and hands the body
 * to the protocol its kind names, at the version the envelope carries; what comes back says which protocol the
 * frame was for. Outbound: a frame is a membership message or a routing message, encoded by its own codec.
 */
import { openFrame, type EnvelopeError } from '../core/envelope';
import { decodeMembershipBody, DEFAULT_WIRE_LIMITS, encodeMessage, type DecodeResult, type MembershipMessage, type WireLimits } from '../core/wire';
import { decodeRouteBody, encodeRouteMessage, type RouteDecodeResult, type RouteMessage } from '../routing/route-wire';

/** An inbound frame, decoded for the protocol it belongs to, or refused before either protocol saw it. */
export type DecodedFrame =
  | { kind: 'membership'; result: DecodeResult }
  | { kind: 'routing'; result: RouteDecodeResult }
  | { kind: 'refused'; error: EnvelopeError };

/** An outbound frame, still as an object (the simulator may count its size without encoding it). */
export type OutFrame = { kind: 'membership'; message: MembershipMessage } | { kind: 'routing'; message: RouteMessage };

/** Decodes one inbound frame. Never throws; every refusal comes back as a value with a stable code. */
export function decodeFrame(text: unknown, limits: WireLimits = DEFAULT_WIRE_LIMITS): DecodedFrame {
  const opened = openFrame(text, limits.maxMessageBytes);
  if (!opened.ok) return { kind: 'refused', error: opened.error };
  switch (opened.kind) {
    case 'm':
      return { kind: 'membership', result: decodeMembershipBody(opened.version, opened.body, limits) };
    case 'r':
      return { kind: 'routing', result: decodeRouteBody(opened.version, opened.body) };
  }
}

/** Encodes one outbound frame as the text the data channel carries. */
export function encodeFrame(frame: OutFrame): string {
  return frame.kind === 'membership' ? encodeMessage(frame.message) : encodeRouteMessage(frame.message);
}

