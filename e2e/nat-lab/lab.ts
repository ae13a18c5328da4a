/**
 * The NAT lab: a "public" network namespace (bridge 10.200.0.0/24; the page, the signaling server and coturn on
 * 10.200.0.1, coturn also on 10.200.0.2 so a probe can ask two destinations) and homes, each a namespace
 * 192.168.<i>.2 behind its own router namespace that masquerades onto the public bridge as 10.200.0.<10+i>.
 * The routers' NAT kinds:
 * - `easy`: nft `masquerade` (the port kept when free: endpoint-independent mapping; replies only from where
 *   the home sent to: address- and port-dependent filtering, so peers must punch through with STUN);
 * - `symmetric`: `masquerade fully-random` (a fresh random port for every destination: endpoint-dependent mapping);
 * - `udp-blocked`: `easy`, and every UDP packet out of the home dropped (TCP only).
 * Every router drops unsolicited inbound traffic (a connection that does not start at home).
 */
import { createNetns, type Netns } from './netns';

/** How a home's router translates and filters. */
export type NatKind = 'easy' | 'symmetric' | 'udp-blocked';

/** A home: the namespace its programs run in, behind its router. */
export interface Home {
  readonly name: string;
  readonly kind: NatKind;
  readonly ns: Netns;
  readonly router: Netns;
  /** The home's own (private) address. */
  readonly address: string;
  /** The router's public address (what peers and servers see, with some port). */
  readonly publicAddress: string;
}

/** The whole lab. */
export interface Lab {
  readonly pub: Netns;
  /** Address of the public servers (page, signaling, TURN/STUN). */
  readonly serverAddress: string;
  /** A second address of the public namespace (the STUN probe's other destination). */
  readonly serverAddress2: string;
  readonly homes: Home[];
  /** Kills every namespace holder (processes started in the namespaces are the caller's to stop). */
  close(): void;
}

const SUBNET = '10.200.0';

/** Builds the public namespace and one home per entry of `kinds`. */
export async function buildLab(kinds: { name: string; kind: NatKind }[]): Promise<Lab> {
  const all: Netns[] = [];
  const close = (): void => all.forEach((ns) => ns.close());
  try {
    const pub = await createNetns('public');
    all.push(pub);
    await pub.exec('ip', ['link', 'add', 'br0', 'type', 'bridge']);
    await pub.exec('ip', ['addr', 'add', `${SUBNET}.1/24`, 'dev', 'br0']);
    await pub.exec('ip', ['addr', 'add', `${SUBNET}.2/24`, 'dev', 'br0']);
    await pub.exec('ip', ['link', 'set', 'br0', 'up']);
    const homes: Home[] = [];
    for (const [i, { name, kind }] of kinds.entries()) {
      const home = await buildHome(pub, i + 1, name, kind, all);
      homes.push(home);
    }
    return { pub, serverAddress: `${SUBNET}.1`, serverAddress2: `${SUBNET}.2`, homes, close };
  } catch (error) {
    close();
    throw error;
  }
}

async function buildHome(pub: Netns, index: number, name: string, kind: NatKind, all: Netns[]): Promise<Home> {
  const router = await createNetns(`${name}-router`);
  all.push(router);
  const ns = await createNetns(name);
  all.push(ns);
  const routerPid = pidOf(router);
  const lan = `192.168.${index}`;
  const publicAddress = `${SUBNET}.${10 + index}`;
  // Both ends are created straight in their namespaces: nothing ever appears in the suite's namespace.
  await pub.exec('ip', ['link', 'add', `r${index}`, 'type', 'veth', 'peer', 'name', 'wan', 'netns', routerPid]);
  await pub.exec('ip', ['link', 'set', `r${index}`, 'master', 'br0', 'up']);
  await router.exec('ip', ['link', 'add', 'lan', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pidOf(ns)]);
  await router.exec('ip', ['addr', 'add', `${publicAddress}/24`, 'dev', 'wan']);
  await router.exec('ip', ['addr', 'add', `${lan}.1/24`, 'dev', 'lan']);
  await router.exec('ip', ['link', 'set', 'wan', 'up']);
  await router.exec('ip', ['link', 'set', 'lan', 'up']);
  await router.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  await router.exec('nft', ['-f', '-'], natRules(kind));
  await ns.exec('ip', ['addr', 'add', `${lan}.2/24`, 'dev', 'eth0']);
  await ns.exec('ip', ['link', 'set', 'eth0', 'up']);
  await ns.exec('ip', ['route', 'add', 'default', 'via', `${lan}.1`]);
  return { name, kind, ns, router, address: `${lan}.2`, publicAddress };
}

function pidOf(ns: Netns): string {
  const pid = /^\/proc\/(\d+)\//.exec(ns.path)?.[1];
  if (!pid) throw new Error(`no pid in ${ns.path}`);
  return pid;
}

/** The router's nft ruleset for `kind`. */
export function natRules(kind: NatKind): string {
  const masquerade = kind === 'symmetric' ? 'masquerade fully-random' : 'masquerade';
  const udpOut = kind === 'udp-blocked' ? '    iifname "lan" meta l4proto udp counter drop\n' : '';
  // Dropping unsolicited inbound packets in the filter hooks also keeps them from leaving a conntrack entry
  // (unconfirmed entries die with their packet): a peer's early check would otherwise claim the mapping the home's
  // own first packet to that peer needs, and Linux would pick another port for it.
  return `table ip lab {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" ${masquerade}
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
${udpOut}    iifname "wan" ct state established,related accept
    iifname "wan" drop
  }
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "wan" ct state established,related accept
    iifname "wan" drop
  }
}
`;
}
