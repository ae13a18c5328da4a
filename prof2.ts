import { warm } from './bench/scenarios';
const t0 = Date.now();
const { h } = warm(100, 3000);
const f0 = { ...h.cluster.counters.framesByType };
console.log('warm ms', Date.now() - t0, JSON.stringify(f0));
const t1 = Date.now(); h.cluster.runFor(600_000);
const f1 = h.cluster.counters.framesByType;
console.log('10 min ms', Date.now() - t1, Object.entries(f1).map(([k, v]) => `${k}:${((v - (f0[k] ?? 0)) / 100 / 10).toFixed(1)}/node-min`).join(' '));
