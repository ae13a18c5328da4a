/**
 * Which addresses `npm start` tells the user to open and which origins its signaling server allows: the page's
 * and the widget example's (another port, so another origin), on every address the page is reachable at. Pure:
 * the network interfaces are passed in (from `os.networkInterfaces()`), so it is tested without a network.
 */
import type { NetworkInterfaceInfo } from 'node:os';

/** Where the page can be opened and what the signaling server must allow. */
export interface StartAddresses {
  /** Hosts to build the printed URLs with (the page's and the signaling server's), first the one to prefer. */
  hosts: string[];
  /** Origins for the signaling server's allow-list: the page's and the widget example's on every host. */
  origins: string[];
}

/** Addresses meaning "every interface": they are no address a browser can open. */
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

/**
 * `bindHost` as given to `--host`. Loopback: 127.0.0.1 and localhost. A wildcard: 127.0.0.1 and every
 * non-internal IPv4 address of `interfaces` (the LAN URLs a phone would open). Anything else: that host only.
 */
export function startAddresses(
  bindHost: string,
  pagePort: number,
  widgetPort: number,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
): StartAddresses {
  let hosts: string[];
  let originHosts: string[];
  if (bindHost === '127.0.0.1' || bindHost === 'localhost') {
    hosts = ['127.0.0.1'];
    originHosts = ['127.0.0.1', 'localhost'];
  } else if (WILDCARDS.has(bindHost)) {
    hosts = ['127.0.0.1', ...lanAddresses(interfaces)];
    originHosts = [...hosts, 'localhost'];
  } else {
    hosts = [bindHost];
    originHosts = [bindHost];
  }
  const origins = originHosts.flatMap((host) => [pagePort, widgetPort].map((port) => `http://${urlHost(host)}:${port}`));
  return { hosts, origins: [...new Set(origins)] };
}

/** Non-internal IPv4 addresses, in interface order, without repeats. */
function lanAddresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string[] {
  const found: string[] = [];
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      // `family` is the number 4 in Node 18.0–18.3, the string elsewhere.
      const ipv4 = info.family === 'IPv4' || (info.family as unknown) === 4;
      if (ipv4 && !info.internal && !found.includes(info.address)) found.push(info.address);
    }
  }
  return found;
}

/** An IPv6 literal goes in brackets in a URL. */
export function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
