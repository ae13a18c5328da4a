import { describe, expect, it } from 'vitest';
import { readLinkPath } from './link-path';

const pc = (reports: unknown[]) => ({ getStats: async () => ({ forEach: (fn: (r: unknown) => void) => reports.forEach(fn) }) });
const local = { id: 'L', type: 'local-candidate', candidateType: 'relay', protocol: 'udp', relayProtocol: 'tcp', address: '10.0.0.1', port: 5000 };
const remote = { id: 'R', type: 'remote-candidate', candidateType: 'srflx', protocol: 'udp', ip: '10.0.0.2', port: 6000 };

describe('readLinkPath', () => {
  it("reads the transport's selected pair (Chromium's shape)", async () => {
    const other = { id: 'P0', type: 'candidate-pair', localCandidateId: 'R', remoteCandidateId: 'L', nominated: true, state: 'succeeded' };
    const pair = { id: 'P1', type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R' };
    expect(await readLinkPath(pc([other, local, remote, pair, { id: 'T', type: 'transport', selectedCandidatePairId: 'P1' }]))).toEqual({
      local: { candidateType: 'relay', protocol: 'udp', relayProtocol: 'tcp', address: '10.0.0.1', port: 5000 },
      remote: { candidateType: 'srflx', protocol: 'udp', address: '10.0.0.2', port: 6000 },
    });
  });

  it('without a transport report, takes the pair flagged selected or else the nominated succeeded one', async () => {
    const nominated = { id: 'P', type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R', nominated: true, state: 'succeeded' };
    expect((await readLinkPath(pc([local, remote, nominated])))?.remote.candidateType).toBe('srflx');
    expect((await readLinkPath(pc([local, remote, { ...nominated, nominated: false, selected: true }])))?.local.candidateType).toBe('relay');
  });

  it('gives undefined, never a throw, for no pair, broken reports, a refusing or missing getStats', async () => {
    expect(await readLinkPath(pc([local, remote]))).toBeUndefined();
    expect(await readLinkPath(pc([null, 7, { id: 3 }, { id: 'T', type: 'transport', selectedCandidatePairId: 'nope' }]))).toBeUndefined();
    expect(await readLinkPath(pc([{ id: 'P', type: 'candidate-pair', selected: true, localCandidateId: 'L', remoteCandidateId: 'X' }, local]))).toBeUndefined();
    expect(await readLinkPath({ getStats: () => Promise.reject(new Error('closed')) })).toBeUndefined();
    expect(await readLinkPath(undefined)).toBeUndefined();
    expect(await readLinkPath({})).toBeUndefined();
  });
});
