/**
 * Validation of untrusted signaling payloads before they reach simple-peer. Only data-channel
 * sessions are supported: renegotiation and transceiver requests are refused.
 */
import type { LinkIceCandidate, LinkSignal, SignalErrorCode } from './types';

/** Largest accepted SDP, in UTF-16 units (a data-channel-only SDP is ~1 KB). */
export const MAX_SDP_CHARS = 16 * 1024;
/** Largest accepted ICE candidate line, in UTF-16 units. */
export const MAX_CANDIDATE_CHARS = 1024;
/** Largest accepted sdpMid / usernameFragment, in UTF-16 units. */
export const MAX_SHORT_FIELD_CHARS = 256;
/** Largest JSON text accepted by `parseSignal` when given a string. */
export const MAX_SIGNAL_JSON_CHARS = MAX_SDP_CHARS + 1024;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalShortString(value: unknown): string | null | undefined | false {
  if (value === undefined || value === null) return value;
  if (typeof value === 'string' && value.length <= MAX_SHORT_FIELD_CHARS) return value;
  return false;
}

function parseCandidate(value: unknown): LinkIceCandidate | null {
  if (!isRecord(value)) return null;
  const line = value['candidate'];
  if (typeof line !== 'string' || line.length > MAX_CANDIDATE_CHARS) return null;
  const index = value['sdpMLineIndex'];
  if (index !== undefined && index !== null && !(Number.isInteger(index) && (index as number) >= 0 && (index as number) < 1024)) {
    return null;
  }
  const mid = optionalShortString(value['sdpMid']);
  const fragment = optionalShortString(value['usernameFragment']);
  if (mid === false || fragment === false) return null;
  const out: LinkIceCandidate = { candidate: line };
  if (index !== undefined) out.sdpMLineIndex = index as number | null;
  if (mid !== undefined) out.sdpMid = mid;
  if (fragment !== undefined) out.usernameFragment = fragment;
  return out;
}

/**
 * Turns an untrusted value (object, or JSON text) into a clean `LinkSignal`, or null when it is
 * not one. The result is a fresh object holding only known fields.
 */
export function parseSignal(input: unknown): LinkSignal | null {
  let value = input;
  if (typeof input === 'string') {
    if (input.length > MAX_SIGNAL_JSON_CHARS) return null;
    try {
      value = JSON.parse(input) as unknown;
    } catch {
      return null;
    }
  }
  if (!isRecord(value)) return null;
  const type = value['type'];
  if (type === 'offer' || type === 'answer') {
    const sdp = value['sdp'];
    if (typeof sdp !== 'string' || sdp.length === 0 || sdp.length > MAX_SDP_CHARS) return null;
    return { type, sdp };
  }
  if (type === 'candidate') {
    const candidate = parseCandidate(value['candidate']);
    return candidate === null ? null : { type, candidate };
  }
  return null;
}

/** Admits remote signals for one connection: one description of the right kind, a bounded number of candidates. */
export interface SignalGate {
  /** A clean signal to pass on, or why it is refused. */
  admit(input: unknown): LinkSignal | Exclude<SignalErrorCode, 'closed'>;
}

/** Creates the gate: the initiator accepts one answer, the other side one offer. */
export function createSignalGate(options: { initiator: boolean; maxCandidates: number }): SignalGate {
  let descriptionSeen = false;
  let candidates = 0;
  return {
    admit(input) {
      const signal = parseSignal(input);
      if (signal === null) return 'bad-signal';
      if (signal.type === 'candidate') {
        if (candidates >= options.maxCandidates) return 'too-many-candidates';
        candidates++;
        return signal;
      }
      if (signal.type !== (options.initiator ? 'answer' : 'offer') || descriptionSeen) return 'unexpected-signal';
      descriptionSeen = true;
      return signal;
    },
  };
}
