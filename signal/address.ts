/**
 * Which "address" a connection counts against for the per-address limits, and a counter keyed by it.
 * IPv4 addresses count one by one; IPv6 addresses by their /64 prefix, because one subscriber usually gets a
 * whole /64 and could otherwise take a fresh address per socket. IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is IPv4.
 */

/** The key a remote address counts under: the IPv4 address, or `v6:` and the first four groups of an IPv6 one. */
export function addressKey(remote: string | undefined): string {
  if (remote === undefined || remote.length === 0 || remote.length > 64) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(remote);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!remote.includes(':')) return remote;
  return `v6:${expandIpv6(remote.split('%')[0] ?? '').slice(0, 4).join(':')}`;
}

/** The eight groups of an IPv6 address, `::` expanded; groups lower-cased without leading zeros. */
function expandIpv6(text: string): string[] {
  const [head = '', tail] = text.split('::', 2);
  const left = head.length > 0 ? head.split(':') : [];
  const right = tail !== undefined && tail.length > 0 ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : Math.max(0, 8 - left.length - right.length);
  const groups = [...left, ...Array<string>(missing).fill('0'), ...right];
  return groups.map((group) => (group.includes('.') ? group : (parseInt(group, 16) || 0).toString(16)));
}

/**
 * The address of a request: the socket's peer, or, behind a trusted reverse proxy, the last `X-Forwarded-For`
 * entry (the one the proxy itself appended; anything before it is whatever the client claimed).
 */
export function requestAddress(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustProxy: boolean,
): string {
  if (!trustProxy || forwardedFor === undefined) return addressKey(socketAddress);
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const last = header.slice(-256).split(',').pop()?.trim();
  return last === undefined || last.length === 0 ? addressKey(socketAddress) : addressKey(last);
}

/** Counts per key; a key whose count falls to zero is forgotten, so memory follows the live connections. */
export interface KeyedCounter {
  count(key: string): number;
  add(key: string): void;
  remove(key: string): void;
  /** Keys with a non-zero count. */
  readonly size: number;
}

/** Creates an empty counter. */
export function createKeyedCounter(): KeyedCounter {
  const counts = new Map<string, number>();
  return {
    count: (key) => counts.get(key) ?? 0,
    add(key) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
    },
    remove(key) {
      const next = (counts.get(key) ?? 0) - 1;
      if (next > 0) counts.set(key, next);
      else counts.delete(key);
    },
    get size() {
      return counts.size;
    },
  };
}
