/** What the bench's fixture process (fixtures.ts) serves and where; shared with the bench. */

/** What the fixtures serve. */
export interface FixtureParams {
  /** Sizes in bytes of the generated large files `large-<bytes>.bin`. */
  readonly largeSizes: readonly number[];
  /** Size in bytes of the small file `small.bin`. */
  readonly smallBytes: number;
}

/** Where the fixtures are. */
export interface FixtureInfo {
  readonly kind: string;
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly bucket: string;
  /** `http://127.0.0.1:<port>/files/` */
  readonly sourceBaseUrl: string;
}

/** The source file name of a generated large file. */
export function largeName(bytes: number): string {
  return `large-${bytes}.bin`;
}

/** The source file name of the small file. */
export const SMALL_NAME = 'small.bin';
