// Types for the Cornerstone WASM codec packages, which ship none. Only the calls decode-codecs.ts makes.
interface CornerstoneWasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): {
    width: number;
    height: number;
    bitsPerSample: number;
    componentCount: number;
    isSigned?: boolean;
  };
  delete?(): void;
}
interface CornerstoneCodecModule {
  JPEGDecoder: new () => CornerstoneWasmDecoder;
  JpegLSDecoder: new () => CornerstoneWasmDecoder;
  J2KDecoder: new () => CornerstoneWasmDecoder;
  HTJ2KDecoder: new () => CornerstoneWasmDecoder;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: () => Promise<CornerstoneCodecModule>;
  export default factory;
}
declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: () => Promise<CornerstoneCodecModule>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: () => Promise<CornerstoneCodecModule>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjph/wasmjs' {
  const factory: () => Promise<CornerstoneCodecModule>;
  export default factory;
}
