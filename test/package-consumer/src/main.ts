// A page as a user writes it: the signaling URL and room come from the URL (the Playwright fixture sets both).
import { joinMesh, isMeshError, type Mesh, type MeshMessage } from 'starmesh';

const params = new URLSearchParams(location.search);
const output = document.querySelector('#id');

async function start(): Promise<Mesh> {
  const mesh = await joinMesh({ room: params.get('room') ?? 'lobby', signal: params.get('signal') ?? 'ws://127.0.0.1:8787' });
  if (output) output.textContent = mesh.id;
  mesh.on('message', (message: MeshMessage) => {
    const size = message.data instanceof Uint8Array ? `${message.data.byteLength} bytes` : typeof message.data;
    console.log(`message from ${message.from}: ${size}`);
  });
  return mesh;
}

start().catch((error: unknown) => {
  console.error(isMeshError(error) ? `starmesh ${error.code}: ${error.message}` : error);
});
