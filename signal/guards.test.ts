/** Unit tests of the pure guards: JSON depth, the frame watch, address keys, and the limit checks. */
import { describe, expect, it } from 'vitest';
import { addressKey, createKeyedCounter, requestAddress } from './address';
import { createAddressBudget } from './address-budget';
import { OPCODE, clientFrame, deepJson } from './attack-tools';
import { createFairQueue } from './fair-queue';
import { createFrameWatch } from './frame-watch';
import { jsonDepthWithin } from './json-bounds';
import { DEFAULT_LIMITS, resolveLimits } from './limits';
import { decodeClientMessage } from './protocol';

describe('jsonDepthWithin', () => {
  it('counts arrays and objects, not brackets inside strings or escapes', () => {
    expect(jsonDepthWithin(deepJson(16), 16)).toBe(true);
    expect(jsonDepthWithin(deepJson(17), 16)).toBe(false);
    expect(jsonDepthWithin('{"a":[{"b":[]}]}', 4)).toBe(true);
    expect(jsonDepthWithin('{"a":[{"b":[]}]}', 3)).toBe(false);
    expect(jsonDepthWithin(`{"s":"${'['.repeat(100)}\\"${'{'.repeat(100)}"}`, 1)).toBe(true);
    expect(jsonDepthWithin('"\\\\"[[', 1)).toBe(false);
    expect(jsonDepthWithin(deepJson(100_000), 16)).toBe(false);
  });

  it('is applied by the decoder before parsing', () => {
    expect(decodeClientMessage(`{"v":1,"t":"peers","x":${deepJson(50_000)}}`)).toMatchObject({ ok: false, code: 'bad-message' });
    expect(decodeClientMessage('{"v":1,"t":"peers"}')).toMatchObject({ ok: true });
  });
});

describe('frame watch', () => {
  const whole = clientFrame(OPCODE.text, 'hello');
  it('is finished after whole frames, however they are split', () => {
    const watch = createFrameWatch();
    for (const byte of [...whole, ...clientFrame(OPCODE.text, 'x'.repeat(70_000)).subarray(0, 20)]) {
      watch.feed(Uint8Array.of(byte));
    }
    expect(watch.unfinished()).toBe(true);
    const split = createFrameWatch();
    split.feed(whole.subarray(0, 3));
    expect(split.unfinished()).toBe(true);
    split.feed(whole.subarray(3));
    expect(split.unfinished()).toBe(false);
    split.feed(Buffer.concat([clientFrame(OPCODE.text, 'y'.repeat(300)), clientFrame(OPCODE.ping, '')]));
    expect(split.unfinished()).toBe(false);
  });

  it('stays unfinished through control frames until the final fragment', () => {
    const watch = createFrameWatch();
    watch.feed(clientFrame(OPCODE.text, 'a', false));
    watch.feed(clientFrame(OPCODE.ping, 'p'));
    watch.feed(clientFrame(OPCODE.continuation, 'b', false));
    expect(watch.unfinished()).toBe(true);
    watch.feed(clientFrame(OPCODE.continuation, 'c', true));
    expect(watch.unfinished()).toBe(false);
  });
});

describe('address keys', () => {
  it('counts IPv4 one by one, IPv6 by /64, mapped IPv4 as IPv4', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:0db8:0001:0002:ffff:1:2:3'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::1')).toBe('v6:0:0:0:0');
    expect(addressKey('fe80::1%eth0')).toBe('v6:fe80:0:0:0');
    expect(addressKey(undefined)).toBe('unknown');
  });

  it('trusts X-Forwarded-For only when told, and then only its last entry', () => {
    expect(requestAddress('10.0.0.1', '198.51.100.9', false)).toBe('10.0.0.1');
    expect(requestAddress('10.0.0.1', '1.1.1.1, 198.51.100.9', true)).toBe('198.51.100.9');
    expect(requestAddress('10.0.0.1', undefined, true)).toBe('10.0.0.1');
  });

  it('forgets keys whose count falls to zero', () => {
    const counter = createKeyedCounter();
    counter.add('a');
    counter.add('a');
    counter.remove('a');
    expect([counter.count('a'), counter.size]).toEqual([1, 1]);
    counter.remove('a');
    expect([counter.count('a'), counter.size]).toEqual([0, 0]);
  });
});

describe('limits', () => {
  it('fills in defaults and refuses anything but integers in range', () => {
    expect(resolveLimits({})).toEqual(DEFAULT_LIMITS);
    expect(resolveLimits({ maxSocketsPerAddress: 3 }).maxSocketsPerAddress).toBe(3);
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity, 2 ** 31]) {
      expect(() => resolveLimits({ messageTimeoutMs: bad })).toThrow(RangeError);
    }
  });
});

describe('address budget', () => {
  it('shares a bucket per key, refills at its rate, and forgets full buckets', () => {
    let now = 0;
    const budget = createAddressBudget(100, 200, () => now);
    expect(budget.take('a', 150)).toBe(true);
    expect(budget.take('a', 100)).toBe(false);
    expect(budget.take('b', 200)).toBe(true);
    now = 1000;
    expect(budget.take('a', 100)).toBe(true);
    budget.prune();
    expect(budget.size).toBe(2);
    now = 10_000;
    budget.prune();
    expect(budget.size).toBe(0);
  });
});

describe('fair queue', () => {
  it('runs a few jobs at once, addresses taking turns, so a newcomer waits for one job per other address', async () => {
    const queue = createFairQueue(1);
    const order: string[] = [];
    const job = (name: string) => () => {
      order.push(name);
      return Promise.resolve(name);
    };
    const done = [
      ...Array.from({ length: 5 }, (_, i) => queue.run('attacker', job(`a${i}`))),
      queue.run('other', job('o0')),
      queue.run('newcomer', job('n0')),
    ];
    expect(queue.waiting).toBe(6);
    await Promise.all(done);
    expect(order).toEqual(['a0', 'a1', 'o0', 'n0', 'a2', 'a3', 'a4']);
    await expect(queue.run('x', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await queue.run('x', job('after'))).toBe('after');
  });

  it('charges debt and says how long to wait', () => {
    let now = 0;
    const budget = createAddressBudget(1000, 2000, () => now);
    expect(budget.charge('a', 1500)).toBe(0);
    expect(budget.charge('a', 1500)).toBe(1000);
    now = 1000;
    expect(budget.charge('a', 0)).toBe(0);
  });
});
