// The part of fs-native-extensions the embedded lock uses (the package ships no types).
declare module 'fs-native-extensions' {
  /** An exclusive lock (shared: false) on the whole file; false when another open file holds one. */
  export function tryLock(fd: number, options?: { shared?: boolean }): boolean;
  export function unlock(fd: number): void;
}
