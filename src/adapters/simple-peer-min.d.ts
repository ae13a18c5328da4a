/** Types for simple-peer's prebuilt browser bundle (a UMD whose default export is the constructor). */
declare module 'simple-peer/simplepeer.min.js' {
  const SimplePeer: unknown;
  export default SimplePeer;
}
