// STUN probe for the NAT lab, run inside a home (`node stun-probe.mjs HOST:PORT HOST:PORT ...`): one UDP socket
// sends a Binding request to each server in turn and prints one JSON line, {"mapped":["ip:port"|null, ...]},
// the address each server saw. The same port for every server: endpoint-independent mapping; different ports:
// endpoint-dependent (symmetric). null: no answer within 2 s.
import dgram from 'node:dgram';

const targets = process.argv.slice(2).map((t) => {
  const [host, port] = t.split(':');
  return { host, port: Number(port) };
});
const socket = dgram.createSocket('udp4');

function request(index) {
  const msg = Buffer.alloc(20);
  msg.writeUInt16BE(0x0001, 0); // Binding request
  msg.writeUInt16BE(0, 2);
  msg.writeUInt32BE(0x2112a442, 4);
  msg.fill(index + 1, 8, 20); // transaction ID: the request's index (no randomness needed)
  return msg;
}

function mappedOf(msg) {
  if (msg.length < 20 || msg.readUInt16BE(0) !== 0x0101) return null;
  let at = 20;
  while (at + 4 <= msg.length) {
    const type = msg.readUInt16BE(at);
    const len = msg.readUInt16BE(at + 2);
    if (type === 0x0020 && len >= 8) {
      const port = msg.readUInt16BE(at + 6) ^ 0x2112;
      const ip = [0, 1, 2, 3].map((i) => msg[at + 8 + i] ^ [0x21, 0x12, 0xa4, 0x42][i]).join('.');
      return `${ip}:${port}`;
    }
    at += 4 + len + ((4 - (len % 4)) % 4);
  }
  return null;
}

function ask(index) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(null), 2000);
    const onMessage = (msg) => {
      if (msg.length >= 20 && msg[8] === index + 1) done(mappedOf(msg));
    };
    function done(value) {
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(value);
    }
    socket.on('message', onMessage);
    socket.send(request(index), targets[index].port, targets[index].host);
  });
}

socket.bind(0, async () => {
  const mapped = [];
  for (let i = 0; i < targets.length; i++) mapped.push(await ask(i));
  process.stdout.write(`${JSON.stringify({ mapped })}\n`);
  socket.close();
});
