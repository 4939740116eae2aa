/**
 * The part of the WebAssembly JS API the project uses (src/model/tree-walk.ts, trainer/gbdt/histogram-kernels.ts). Node has the global;
 * TypeScript declares it only in its DOM and web worker libraries, which the project does not load.
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, Memory>>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    /** A shared memory (a SharedArrayBuffer; needs `maximum`) grows without detaching its old buffer. */
    constructor(descriptor: { readonly initial: number; readonly maximum?: number; readonly shared?: boolean });
    readonly buffer: ArrayBufferLike;
    grow(pages: number): number;
  }
}
