/**
 * The README's quick start, compiled by `npm run typecheck` (`starmesh` resolves to `src/api` through the paths of
 * `tsconfig.json`), so the README cannot drift from the API.
 */
import { joinMesh } from 'starmesh';

const mesh = await joinMesh({ room: 'lobby', signal: 'ws://127.0.0.1:8787' });
mesh.on('peer-join', ({ id }) => console.log('joined:', id));
mesh.on('message', ({ from, data, trace }) => console.log(from, data, 'via', trace.join(' → ')));
await mesh.ready; // the first link is up
mesh.broadcast({ hello: 'everyone' });
const [first] = mesh.peers();
if (first) await mesh.send(first.id, new Uint8Array([1, 2, 3]));
