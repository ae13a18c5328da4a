import { describe, expect, it } from 'vitest';
import { createAttemptLimiter, createConnectionBudget } from './budget';
import type { BudgetStorage } from './budget';

function memoryStorage(): BudgetStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('connection budget', () => {
  it('defaults to 450 and refuses once spent', () => {
    const budget = createConnectionBudget();
    for (let i = 0; i < 450; i++) expect(budget.tryAcquire()).toBe(true);
    expect(budget.tryAcquire()).toBe(false);
    expect(budget.used()).toBe(450);
    expect(budget.remaining()).toBe(0);
  });

  it('persists the count across instances (a reload) through the injected storage', () => {
    const storage = memoryStorage();
    const first = createConnectionBudget({ lifetimeLimit: 3, storage });
    expect(first.tryAcquire()).toBe(true);
    expect(first.tryAcquire()).toBe(true);
    const afterReload = createConnectionBudget({ lifetimeLimit: 3, storage });
    expect(afterReload.used()).toBe(2);
    expect(afterReload.tryAcquire()).toBe(true);
    expect(afterReload.tryAcquire()).toBe(false);
    expect(first.tryAcquire()).toBe(false);
  });

  it('survives corrupt or failing storage without going below what it has seen', () => {
    const storage = memoryStorage();
    storage.data.set('starmesh:rtc-connections-used', 'garbage');
    const budget = createConnectionBudget({ lifetimeLimit: 2, storage });
    expect(budget.used()).toBe(0);
    expect(budget.tryAcquire()).toBe(true);
    storage.data.clear();
    expect(budget.used()).toBe(1);
    const failing: BudgetStorage = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('quota'); } };
    const fallback = createConnectionBudget({ lifetimeLimit: 1, storage: failing });
    expect(fallback.tryAcquire()).toBe(true);
    expect(fallback.tryAcquire()).toBe(false);
  });

  it('markExhausted spends the budget', () => {
    const budget = createConnectionBudget({ lifetimeLimit: 10 });
    budget.markExhausted();
    expect(budget.tryAcquire()).toBe(false);
  });
});

describe('attempt limiter', () => {
  it('allows maxAttempts per peer per sliding window', () => {
    let nowMs = 1_000;
    const limiter = createAttemptLimiter({ maxAttempts: 2, windowMs: 100, now: () => nowMs });
    expect(limiter.tryAttempt('a')).toBe(true);
    nowMs += 50;
    expect(limiter.tryAttempt('a')).toBe(true);
    expect(limiter.tryAttempt('a')).toBe(false);
    expect(limiter.tryAttempt('b')).toBe(true);
    nowMs += 50; // the first attempt left the window
    expect(limiter.tryAttempt('a')).toBe(true);
    expect(limiter.attemptsFor('a')).toBe(2);
  });

  it('bounds the number of tracked peers', () => {
    let nowMs = 0;
    const limiter = createAttemptLimiter({ maxTrackedPeers: 2, windowMs: 100, now: () => nowMs });
    expect(limiter.tryAttempt('a')).toBe(true);
    expect(limiter.tryAttempt('b')).toBe(true);
    expect(limiter.tryAttempt('c')).toBe(false);
    expect(limiter.tryAttempt('a')).toBe(true);
    nowMs += 100;
    expect(limiter.tryAttempt('c')).toBe(true);
  });
});
