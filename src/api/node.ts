export { startNodePeer } from '../node/node-peer';
