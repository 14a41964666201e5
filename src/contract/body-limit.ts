/**
 * The largest command body accepted, from the largest HTTP request body: a command carries
 * the whole mediapackage XML (JSON escaping can double it) plus room for the fields around it.
 */
export function maxCommandBytes(maxRequestBytes: number): number {
  return maxRequestBytes * 2 + 64 * 1024;
}
