/**
 * One decoder for every inbound data-channel frame: opens the envelope once (`core/envelope.ts`) and hands the
 * body to the protocol its kind names, at the version the envelope carries. What comes back says which protocol
 * the frame was for, so the driver feeds it to the membership core or the router, or counts the refusal.
 */
import { openFrame, type EnvelopeError } from '../core/envelope';
import { decodeMembershipBody, DEFAULT_WIRE_LIMITS, type DecodeResult, type WireLimits } from '../core/wire';
import { decodeRouteBody, type RouteDecodeResult } from '../routing/route-wire';

/** An inbound frame, decoded for the protocol it belongs to, or refused before either protocol saw it. */
export type DecodedFrame =
  | { kind: 'membership'; result: DecodeResult }
  | { kind: 'routing'; result: RouteDecodeResult }
  | { kind: 'refused'; error: EnvelopeError };

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
