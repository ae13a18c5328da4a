/** The live topology graph and the peer table against real tabs: members, links, departures. */
import { actualLinks, expect, expectFullMembership, FAST_PARAMS, graphPicture, PATIENT_MS, test, type StarmeshNode } from './fixtures';
import { drawnGraph, linksThroughNodes, triangleAngles } from './ui-geometry';

/** Status per node a page's graph should show once the mesh has settled: itself as self, the others alive. */
function expectedNodes(viewer: StarmeshNode, nodes: StarmeshNode[]): Record<string, string> {
  return Object.fromEntries(nodes.map((n) => [n.id, n === viewer ? 'self' : 'alive']));
}

test('every page draws all members and exactly the links the nodes hold; a closed tab leaves graph and table', async ({ openNodes }) => {
  test.setTimeout(420_000);
  const nodes = await openNodes(4, { params: FAST_PARAMS });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });

  // The links drawn must be the links the nodes report, on every page (links can still change while the overlay
  // settles, so both sides are read afresh on each poll).
  for (const viewer of nodes) {
    await expect
      .poll(async () => {
        const [picture, links] = await Promise.all([graphPicture(viewer.page), actualLinks(nodes)]);
        return { nodes: picture.nodes, edges: picture.edges, linksMatch: JSON.stringify(picture.edges) === JSON.stringify(links) };
      }, { message: `graph of node ${viewer.index}`, timeout: PATIENT_MS })
      .toEqual({ nodes: expectedNodes(viewer, nodes), edges: expect.any(Array), linksMatch: true });
    const { edges } = await graphPicture(viewer.page);
    // Four members with at least one link each: a connected mesh has at least three links.
    expect(edges.length, 'links drawn').toBeGreaterThanOrEqual(3);
    await expect(viewer.page.locator('#graph svg title').first()).toHaveText(/^Mesh topology: 4 members \(you and 3 others\)/);
    await expect(viewer.page.locator('#peer-rows tr')).toHaveCount(3);
  }

  const [a, b, c, gone] = nodes as [StarmeshNode, StarmeshNode, StarmeshNode, StarmeshNode];
  await gone.close();
  for (const viewer of [a, b, c]) {
    await expect
      .poll(async () => Object.keys((await graphPicture(viewer.page)).nodes).includes(gone.id), { message: `node ${viewer.index} still draws the closed tab`, timeout: 60_000 })
      .toBe(false);
    await expect(viewer.page.locator(`#peer-rows tr[data-peer="${gone.id}"]`)).toHaveCount(0);
    const { edges } = await graphPicture(viewer.page);
    expect(edges.filter((key) => key.includes(gone.id)), 'links of the closed tab').toEqual([]);
    await expect(viewer.page.locator('#member-count')).toHaveText('2');
    await expect(viewer.page.locator('#member-summary')).toHaveText('3 members: you and 2 others');
  }
});

test('the graph stays still when nothing changes', async ({ openNodes }) => {
  const nodes = await openNodes(2, { params: FAST_PARAMS, events: ['gossip'] });
  await expectFullMembership(nodes, { states: ['alive'] });
  const viewer = nodes[0]!;
  const positions = (): Promise<string> =>
    viewer.page.evaluate(() => [...document.querySelectorAll('#graph [data-node]')].map((n) => `${(n as SVGElement).dataset['node']}@${n.getAttribute('transform')}`).sort().join(';'));
  await expect.poll(async () => (await graphPicture(viewer.page)).edges.length, { timeout: PATIENT_MS }).toBe(1);
  // The layout ends by itself once it has settled.
  await expect(viewer.page.locator('#graph svg.graph')).toHaveAttribute('data-settled', 'true', { timeout: PATIENT_MS });
  // At rest gossip keeps flowing (every 500 ms here, each exchange redrawn and logged) but nothing moves.
  const rest = await positions();
  const layoutRuns = await viewer.page.locator('#graph svg.graph').getAttribute('data-layout-runs');
  const gossipBefore = (await viewer.events('gossip')).length;
  await expect.poll(async () => (await viewer.events('gossip')).length, { timeout: PATIENT_MS }).toBeGreaterThanOrEqual(gossipBefore + 6);
  expect(await positions()).toBe(rest);
  await expect(viewer.page.locator('#graph svg.graph')).toHaveAttribute('data-layout-runs', layoutRuns ?? '');
  await expect(viewer.page.locator('#route-log li[data-kind="gossip"]').first()).toBeAttached();
});

test('three tabs are drawn as a triangle: no link behind a node, this node not in the centre', async ({ openNodes }) => {
  test.setTimeout(300_000);
  const nodes = await openNodes(3, { params: FAST_PARAMS });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  for (const viewer of nodes) {
    const svg = viewer.page.locator('#graph svg.graph');
    // Three tabs with a target of six links each end up linked all to all.
    await expect.poll(async () => (await graphPicture(viewer.page)).edges.length, { message: `links on page ${viewer.index}`, timeout: PATIENT_MS }).toBe(3);
    await expect(svg).toHaveAttribute('data-settled', 'true', { timeout: PATIENT_MS });
    const graph = await drawnGraph(viewer.page);
    expect(linksThroughNodes(graph), `page ${viewer.index}`).toEqual([]);
    const [a, b, c] = graph.nodes;
    // A triangle, not a chain: every angle near 60°.
    for (const angle of triangleAngles(a!, b!, c!)) expect(angle, `angles on page ${viewer.index}`).toBeGreaterThan(50);
    const self = graph.nodes.find((n) => n.status === 'self')!;
    expect(Math.hypot(self.x - graph.width / 2, self.y - graph.height / 2), 'this node is off the centre').toBeGreaterThan(graph.height / 4);
  }
});
