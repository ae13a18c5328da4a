import { describe, expect, it } from 'vitest';
import { seededRng } from './random';
import {
  DEFAULT_WIRE_LIMITS,
  MAX_AGE_SEC,
  MAX_COUNTER,
  PROTOCOL_VERSION,
  decodeMessage,
  encodeMessage,
  encodedSize,
  isNodeId,
  splitEntries,
  type MembershipMessage,
  type WireEntry,
} from './wire';

const A = 'AAAAAAAAAAAAAAAAAAAAAA';
const B = 'BBBBBBBBBBBBBBBBBBBBBB';
const C = 'CCCCCCCCCCCCCCCCCCCCCC';

const entries: WireEntry[] = [
  { id: A, counter: 0, state: 'alive', ageSec: 0 },
  { id: B, counter: 17, state: 'suspect', ageSec: 42 },
  { id: C, counter: MAX_COUNTER - 1, state: 'dead', ageSec: MAX_AGE_SEC },
];

/** A membership frame around `body` (an object, or JSON text written by hand), at `version`. */
function frame(body: Record<string, unknown> | string, version: unknown = PROTOCOL_VERSION): string {
  return `{"k":"m","v":${JSON.stringify(version)},"b":${typeof body === 'string' ? body : JSON.stringify(body)}}`;
}

function entriesFrame(raw: unknown[]): string {
  return frame({ t: 'push', e: raw });
}

function decodeOk(text: unknown) {
  const result = decodeMessage(text);
  if (!result.ok) throw new Error(`expected ok, got ${result.error}`);
  return result;
}

function decodedEntries(text: string): { list: WireEntry[]; dropped: number } {
  const result = decodeOk(text);
  const message = result.message;
  if (!('entries' in message)) throw new Error('no entries');
  return { list: message.entries, dropped: result.droppedEntries };
}

describe('isNodeId', () => {
  it('accepts exactly 22 base64url characters (a key hash) and nothing else', () => {
    expect(isNodeId('A'.repeat(22))).toBe(true);
    expect(isNodeId('aZ09_-'.repeat(3) + 'abcd')).toBe(true);
    expect(isNodeId('__proto__'.padEnd(22, '_'))).toBe(true);
    for (const bad of ['', 'a', '__proto__', 'constructor', 'x'.repeat(21), 'x'.repeat(23), 'x'.repeat(64), 'a b'.padEnd(22, 'a'), 'a+b'.padEnd(22, 'a'),
      'a/b'.padEnd(22, 'a'), 'a='.padEnd(22, 'a'), 'é'.padEnd(22, 'a'), 'abc\n'.padEnd(22, 'a')]) {
      expect(isNodeId(bad), JSON.stringify(bad)).toBe(false);
    }
    expect(isNodeId(22)).toBe(false);
    expect(isNodeId(null)).toBe(false);
  });
});

describe('encodeMessage / decodeMessage round trip', () => {
  const messages: MembershipMessage[] = [
    { t: 'push', entries },
    { t: 'pull', entries },
    { t: 'news', entries },
    { t: 'table', entries },
    { t: 'sync', entries, want: true },
    { t: 'sync', entries: [], want: false },
    { t: 'push', entries: [] },
    { t: 'ping', nonce: 0 },
    { t: 'ping', nonce: 123_456 },
    { t: 'ack', nonce: Number.MAX_SAFE_INTEGER },
    { t: 'bye', reason: 'trim' },
    { t: 'bye', reason: 'leave' },
  ];
  for (const message of messages) {
    it(`round-trips ${message.t} ${JSON.stringify(message).slice(0, 60)}`, () => {
      const text = encodeMessage(message);
      const result = decodeMessage(text);
      expect(result).toEqual({ ok: true, message, droppedEntries: 0 });
      // encodedSize is the exact length (IDs are ASCII).
      expect(encodedSize(message)).toBe(text.length);
      expect(new TextEncoder().encode(text).length).toBe(text.length);
    });
  }

  it('encodes ages as whole seconds, clamped to MAX_AGE_SEC', () => {
    const text = encodeMessage({
      t: 'news',
      entries: [
        { id: A, counter: 1, state: 'alive', ageSec: 12.9 },
        { id: B, counter: 1, state: 'alive', ageSec: MAX_AGE_SEC * 10 },
      ],
    });
    const { list } = decodedEntries(text);
    expect(list.map((e) => e.ageSec)).toEqual([12, MAX_AGE_SEC]);
  });

  it('puts every frame in the envelope, with the membership kind and version', () => {
    expect(JSON.parse(encodeMessage({ t: 'ping', nonce: 1 }))).toEqual({ k: 'm', v: 1, b: { t: 'ping', n: 1 } });
  });
});

describe('decodeMessage refuses', () => {
  it('non-strings', () => {
    for (const value of [undefined, null, 1, {}, [], new Uint8Array([123, 125]), true]) {
      expect(decodeMessage(value)).toEqual({ ok: false, error: 'not-text' });
    }
  });

  it('non-JSON', () => {
    for (const text of ['', '{', 'hello', '{"v":1,}', "{'v':1}", 'NaN', '{"v":NaN}', frame('{"t":"ping",}')]) {
      expect(decodeMessage(text)).toEqual({ ok: false, error: 'bad-json' });
    }
  });

  it('arrays, null and primitives', () => {
    for (const text of ['[]', '[1,"push"]', 'null', '1', '"ping"', 'true', '{"k":"m","v":1}', '{"v":1,"b":{}}']) {
      expect(decodeMessage(text), text).toEqual({ ok: false, error: 'bad-shape' });
    }
    for (const body of ['[]', 'null', '1', '"ping"']) expect(decodeMessage(frame(body)), body).toEqual({ ok: false, error: 'bad-shape' });
  });

  it('a wrong or missing version', () => {
    for (const v of [0, 2, 65_535]) {
      expect(decodeMessage(frame({ t: 'ping', n: 1 }, v))).toEqual({ ok: false, error: 'bad-version' });
    }
    // Not a version number at all: the envelope itself is malformed.
    for (const v of ['1', null, 1.5, true, -1, 65_536]) {
      expect(decodeMessage(frame({ t: 'ping', n: 1 }, v))).toEqual({ ok: false, error: 'bad-shape' });
    }
    expect(decodeMessage('{"k":"m","b":{"t":"ping","n":1}}')).toEqual({ ok: false, error: 'bad-shape' });
    // The version of the old, envelope-less frames inside the body means nothing.
    expect(decodeMessage(frame({ v: 2, t: 'ping', n: 1 })).ok).toBe(true);
    // 1.0 is the number 1 in JSON.
    expect(decodeMessage('{"k":"m","v":1.0,"b":{"t":"ping","n":1}}').ok).toBe(true);
  });

  it('unknown or missing types', () => {
    for (const t of ['hello', 'PUSH', 'constructor', 'toString', '__proto__', 'hasOwnProperty', '']) {
      expect(decodeMessage(frame({ t, e: [] }))).toEqual({ ok: false, error: 'unknown-type' });
    }
    expect(decodeMessage(frame({ t: 1 }))).toEqual({ ok: false, error: 'bad-shape' });
    expect(decodeMessage(frame({}))).toEqual({ ok: false, error: 'bad-shape' });
    // Frames of another kind (routing), or of a kind nobody knows, are not membership messages.
    expect(decodeMessage('{"k":"r","v":1,"b":{"t":"lsa","a":[]}}')).toEqual({ ok: false, error: 'unknown-type' });
    expect(decodeMessage('{"k":"x","v":1,"b":{"t":"ping","n":1}}')).toEqual({ ok: false, error: 'unknown-type' });
  });

  it('bad shapes of the fields of each type', () => {
    const bad = [
      frame({ t: 'push' }),
      frame({ t: 'push', e: {} }),
      frame({ t: 'push', e: 'x' }),
      frame({ t: 'push', e: { length: 1, 0: [A, 1, 0, 0] } }),
      frame({ t: 'sync', e: [] }),
      frame({ t: 'sync', e: [], w: true }),
      frame({ t: 'sync', e: [], w: 2 }),
      frame({ t: 'ping' }),
      frame({ t: 'ping', n: -1 }),
      frame({ t: 'ping', n: 1.5 }),
      frame({ t: 'ping', n: '1' }),
      frame({ t: 'ack', n: 2 ** 53 }),
      frame('{"t":"ack","n":1e400}'),
      frame({ t: 'bye' }),
      frame({ t: 'bye', r: 'crash' }),
      frame({ t: 'bye', r: 1 }),
    ];
    for (const text of bad) expect(decodeMessage(text), text).toEqual({ ok: false, error: 'bad-shape' });
  });

  it('frames larger than 16 KiB (ASCII), accepting exactly 16 KiB', () => {
    const base = encodeMessage({ t: 'ping', nonce: 7 });
    const exact = base + ' '.repeat(DEFAULT_WIRE_LIMITS.maxMessageBytes - base.length);
    expect(exact.length).toBe(16_384);
    expect(decodeMessage(exact)).toEqual({ ok: true, message: { t: 'ping', nonce: 7 }, droppedEntries: 0 });
    expect(decodeMessage(exact + ' ')).toEqual({ ok: false, error: 'too-large' });
    // Size is checked before parsing: even garbage is "too-large", not "bad-json".
    expect(decodeMessage('x'.repeat(20_000))).toEqual({ ok: false, error: 'too-large' });
  });

  it('frames larger than 16 KiB in UTF-8 although short in UTF-16 code units', () => {
    const base = '{"k":"m","v":1,"b":{"t":"ping","n":7,"x":"';
    // 3-byte characters: 5 600 chars = 16 800 bytes, but only ~5 630 code units.
    const euros = `${base}${'€'.repeat(5_600)}"}}`;
    expect(euros.length).toBeLessThan(16_384);
    expect(decodeMessage(euros)).toEqual({ ok: false, error: 'too-large' });
    // 4-byte characters (surrogate pairs): 4 200 emoji = 16 800 bytes, 8 400 code units.
    const emoji = `${base}${'😀'.repeat(4_200)}"}}`;
    expect(emoji.length).toBeLessThan(16_384);
    expect(decodeMessage(emoji)).toEqual({ ok: false, error: 'too-large' });
    // Just under the limit in bytes: accepted (unknown fields are ignored).
    const fits = `${base}${'€'.repeat(5_440)}"}}`;
    expect(new TextEncoder().encode(fits).length).toBeLessThanOrEqual(16_384);
    expect(decodeMessage(fits).ok).toBe(true);
  });

  it('multi-byte frames above a custom, smaller byte limit', () => {
    // 400 three-byte characters: ~430 code units, ~1 230 bytes, above a 1 024-byte limit.
    const text = frame(`{"t":"ping","n":7,"x":"${'€'.repeat(400)}"}`);
    expect(text.length).toBeLessThan(1_024);
    expect(new TextEncoder().encode(text).length).toBeGreaterThan(1_024);
    expect(decodeMessage(text, { maxMessageBytes: 1_024, maxEntriesPerMessage: 512 })).toEqual({
      ok: false,
      error: 'too-large',
    });
  });

  it('more than 512 entries', () => {
    // 513 minimal entries fit in 16 KiB, so the entry cap itself is what refuses them.
    const small = frame(`{"t":"push","e":[${Array(513).fill('0').join(',')}]}`);
    expect(small.length).toBeLessThan(16_384);
    expect(decodeMessage(small)).toEqual({ ok: false, error: 'too-many-entries' });
    const exactly512 = frame(`{"t":"push","e":[${Array(512).fill('0').join(',')}]}`);
    expect(decodeMessage(exactly512)).toEqual({ ok: true, message: { t: 'push', entries: [] }, droppedEntries: 512 });
    // 10 000 entries: refused (too large for 16 KiB, and too many under a bigger byte limit).
    const big = entriesFrame(Array.from({ length: 10_000 }, (_, i) => [`n${i}`, 1, 0, 0]));
    expect(decodeMessage(big).ok).toBe(false);
    expect(decodeMessage(big, { maxMessageBytes: 10_000_000, maxEntriesPerMessage: 512 })).toEqual({
      ok: false,
      error: 'too-many-entries',
    });
    for (const t of ['pull', 'news', 'table']) {
      expect(decodeMessage(small.replace('"push"', `"${t}"`))).toEqual({ ok: false, error: 'too-many-entries' });
    }
    expect(decodeMessage(frame({ t: 'sync', e: Array(513).fill(0), w: 0 }))).toEqual({
      ok: false,
      error: 'too-many-entries',
    });
  });
});

describe('decodeMessage entries', () => {
  const good = [A, 5, 0, 10];

  it('keeps valid entries and counts every bad one', () => {
    const bad: unknown[] = [
      null,
      5,
      'x',
      {},
      [A, 1, 0],
      [A, 1, 0, 0, 0],
      ['bad id', 1, 0, 0],
      ['x'.repeat(65), 1, 0, 0],
      ['', 1, 0, 0],
      ['a.b', 1, 0, 0],
      [42, 1, 0, 0],
      [B, -1, 0, 0], // negative counter
      [B, 1.5, 0, 0], // float counter
      [B, MAX_COUNTER, 0, 0], // counter >= 2^48
      [B, MAX_COUNTER + 1, 0, 0],
      [B, '1', 0, 0],
      [B, null, 0, 0],
      [B, 1, 3, 0], // state code 3
      [B, 1, -1, 0], // state code -1
      [B, 1, 0.5, 0],
      [B, 1, '0', 0],
      [B, 1, 0, -1], // negative age
      [B, 1, 0, MAX_AGE_SEC + 1], // age > one day
      [B, 1, 0, 0.5],
      [B, 1, 0, '0'],
    ];
    const { list, dropped } = decodedEntries(entriesFrame([good, ...bad]));
    expect(list).toEqual([{ id: A, counter: 5, state: 'alive', ageSec: 10 }]);
    expect(dropped).toBe(bad.length);
  });

  it('drops what JSON can smuggle in as non-finite numbers (1e400 parses to Infinity)', () => {
    expect(JSON.parse('1e400')).toBe(Infinity);
    const text = frame(`{"t":"push","e":[["${A}",1e400,0,0],["${B}",1,0,1e400],["${C}",1,0,-1e400],["${C}",2,0,0]]}`);
    const { list, dropped } = decodedEntries(text);
    expect(list).toEqual([{ id: C, counter: 2, state: 'alive', ageSec: 0 }]);
    expect(dropped).toBe(3);
  });

  it('accepts the boundary values', () => {
    const { list, dropped } = decodedEntries(
      entriesFrame([
        [A, MAX_COUNTER - 1, 2, MAX_AGE_SEC],
        [B, 0, 1, 0],
        ['x'.repeat(22), 0, 0, 0],
      ]),
    );
    expect(dropped).toBe(0);
    expect(list).toEqual([
      { id: A, counter: MAX_COUNTER - 1, state: 'dead', ageSec: MAX_AGE_SEC },
      { id: B, counter: 0, state: 'suspect', ageSec: 0 },
      { id: 'x'.repeat(22), counter: 0, state: 'alive', ageSec: 0 },
    ]);
  });

  it('keeps the first of duplicate IDs (a bad first copy does not hide a good second one)', () => {
    const { list, dropped } = decodedEntries(
      entriesFrame([
        [A, 1, 0, 0],
        [B, 1, 3, 0], // invalid, dropped
        [A, 9, 2, 0], // duplicate, dropped
        [B, 2, 1, 5], // first valid B
        [B, 3, 0, 0], // duplicate
      ]),
    );
    expect(list).toEqual([
      { id: A, counter: 1, state: 'alive', ageSec: 0 },
      { id: B, counter: 2, state: 'suspect', ageSec: 5 },
    ]);
    expect(dropped).toBe(3);
  });

  it('treats __proto__ as a plain key of the message and as a plain ID', () => {
    // As a key: JSON.parse makes an own property; it must not supply v/t through the prototype.
    expect(decodeMessage('{"__proto__":{"k":"m","v":1,"b":{"t":"ping","n":1}}}')).toEqual({ ok: false, error: 'bad-shape' });
    expect(decodeMessage('{"k":"m","v":1,"__proto__":{"b":{"t":"ping","n":1}}}')).toEqual({ ok: false, error: 'bad-shape' });
    expect(decodeMessage(frame('{"__proto__":{"t":"ping","n":1}}'))).toEqual({ ok: false, error: 'bad-shape' });
    const withProto = decodeMessage(frame('{"t":"ping","n":3,"__proto__":{"n":9}}'));
    expect(withProto).toEqual({ ok: true, message: { t: 'ping', nonce: 3 }, droppedEntries: 0 });
    // As an ID: `__proto__` itself is no key hash and is dropped; a 22-character ID that starts like it is an
    // ordinary ID (and a duplicate of it is dropped).
    const proto = '__proto__'.padEnd(22, '_');
    const { list, dropped } = decodedEntries(
      entriesFrame([
        [proto, 4, 1, 2],
        ['constructor', 1, 0, 0],
        ['__proto__', 1, 0, 0],
        [proto, 5, 0, 0],
      ]),
    );
    expect(list).toEqual([{ id: proto, counter: 4, state: 'suspect', ageSec: 2 }]);
    expect(dropped).toBe(3);
    expect(Object.prototype).not.toHaveProperty('n');
  });

  it('decodes each entry type with its own tag', () => {
    for (const t of ['push', 'pull', 'news', 'table'] as const) {
      const result = decodeOk(frame({ t, e: [good] }));
      expect(result.message).toEqual({ t, entries: [{ id: A, counter: 5, state: 'alive', ageSec: 10 }] });
    }
  });
});

describe('splitEntries', () => {
  function randomId(rng: () => number, length: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
    let id = '';
    for (let i = 0; i < length; i++) id += alphabet[Math.floor(rng() * 64)];
    return id;
  }

  it('never exceeds maxBytes and loses or reorders no entry (property test)', () => {
    const rng = seededRng(2024);
    const next = () => rng.next();
    const types = ['push', 'pull', 'sync', 'news', 'table'] as const;
    let chunksSeen = 0;
    for (let round = 0; round < 40; round++) {
      const count = Math.floor(next() * 1_500);
      const maxBytes = 1_024 + Math.floor(next() * 20_000);
      const t = types[round % types.length] ?? 'push';
      const list: WireEntry[] = Array.from({ length: count }, (_, i) => ({
        // Mostly 64-char IDs (the worst case), unique by a suffix.
        id: next() < 0.8 ? randomId(next, 58) + String(i).padStart(6, '0') : randomId(next, 1 + Math.floor(next() * 40)) + i,
        counter: next() < 0.5 ? MAX_COUNTER - 1 - Math.floor(next() * 1000) : Math.floor(next() * 1000),
        state: (['alive', 'suspect', 'dead'] as const)[Math.floor(next() * 3)] ?? 'alive',
        ageSec: next() < 0.2 ? MAX_AGE_SEC * 3 : next() * MAX_AGE_SEC,
      }));
      const messages = splitEntries(t, list, maxBytes);
      const back: WireEntry[] = [];
      for (const message of messages) {
        expect(message.t).toBe(t);
        const text = encodeMessage(message);
        expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(maxBytes);
        expect(encodedSize(message)).toBe(text.length);
        if (!('entries' in message)) throw new Error('no entries');
        expect(message.entries.length).toBeGreaterThan(0);
        expect(message.entries.length).toBeLessThanOrEqual(DEFAULT_WIRE_LIMITS.maxEntriesPerMessage);
        const decoded = decodeMessage(text, { maxMessageBytes: maxBytes, maxEntriesPerMessage: 512 });
        expect(decoded.ok).toBe(true);
        back.push(...message.entries);
        chunksSeen++;
      }
      expect(back).toEqual(list);
      if (count === 0) expect(messages).toEqual([]);
    }
    expect(chunksSeen).toBeGreaterThan(40);
  });

  it('respects maxEntries and fills 16 KiB chunks reasonably', () => {
    const list: WireEntry[] = Array.from({ length: 2_000 }, (_, i) => ({
      id: 'x'.repeat(58) + String(i).padStart(6, '0'),
      counter: MAX_COUNTER - 1,
      state: 'dead',
      ageSec: MAX_AGE_SEC,
    }));
    const messages = splitEntries('table', list, 16_384);
    for (const m of messages) expect(encodeMessage(m).length).toBeLessThanOrEqual(16_384);
    // Each entry is ~90 bytes: about 180 per chunk; no more chunks than needed plus one.
    const perEntry = encodedSize({ t: 'table', entries: list.slice(0, 2) }) - encodedSize({ t: 'table', entries: list.slice(0, 1) });
    expect(messages.length).toBeLessThanOrEqual(Math.ceil((2_000 * perEntry) / (16_384 - 40)) + 1);
    const capped = splitEntries('news', list.slice(0, 25), 1_000_000, 10);
    expect(capped.map((m) => ('entries' in m ? m.entries.length : -1))).toEqual([10, 10, 5]);
  });

  it('sync chunks carry want=false and decode', () => {
    const [first] = splitEntries('sync', entries, 16_384);
    expect(first).toEqual({ t: 'sync', entries, want: false });
  });
});
