/** A file the iteration touched that is longer than largeFileWarningLines. */
export interface LargeFileWarning {
  path: string;
  lines: number;
}
