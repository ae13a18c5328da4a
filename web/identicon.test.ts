import { describe, expect, it } from 'vitest';
import { fnv1a, idHue, identiconModel } from './identicon';

describe('identicon', () => {
  it('is deterministic and mirrored', () => {
    const id = 'Qm3v9X_kq1-AbCdEfGhIjK';
    const model = identiconModel(id);
    expect(identiconModel(id)).toEqual(model);
    expect(model.cells).toHaveLength(25);
    for (let row = 0; row < 5; row++) {
      for (let col = 0; col < 5; col++) expect(model.cells[row * 5 + col]).toBe(model.cells[row * 5 + (4 - col)]);
    }
    expect(model.hue).toBe(idHue(id));
    expect(model.hue).toBeGreaterThanOrEqual(0);
    expect(model.hue).toBeLessThan(360);
  });
  it('tells IDs apart', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `node-${i}-xxxxxxxxxxxxxx`);
    const patterns = new Set(ids.map((id) => JSON.stringify(identiconModel(id))));
    expect(patterns.size).toBeGreaterThan(190);
  });
  it('hashes with FNV-1a', () => {
    // Reference values of 32-bit FNV-1a.
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
  });
});
