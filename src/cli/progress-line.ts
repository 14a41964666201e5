/** One line that says where a job is: status, a bar of the bytes uploaded, elements. */
import type { JobProgress } from '../opencast/model.js';

/** The parts of a job's JSON the line shows. */
export interface JobView {
  readonly id: string;
  readonly status: string;
  readonly progress?: JobProgress | undefined;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** Bytes for people: `512 B`, `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${UNITS[unit] ?? ''}`;
}

/**
 * `job 42 RUNNING [#####-----]  50%  20.0 MiB / 40.0 MiB  elements 0/1`; the bar only on
 * a terminal (`barWidth` > 0) and when the total is known.
 */
export function progressLine(job: JobView, barWidth: number): string {
  const parts = [`job ${job.id}`, job.status];
  const { progress } = job;
  if (progress !== undefined) {
    const { bytesDone, bytesTotal } = progress;
    if (bytesTotal !== undefined && bytesTotal > 0) {
      const ratio = Math.min(1, bytesDone / bytesTotal);
      if (barWidth > 0) {
        const filled = Math.round(ratio * barWidth);
        parts.push(`[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`);
      }
      parts.push(`${String(Math.floor(ratio * 100)).padStart(3)}%`);
      parts.push(`${formatBytes(bytesDone)} / ${formatBytes(bytesTotal)}`);
    } else {
      parts.push(formatBytes(bytesDone));
    }
    parts.push(`elements ${progress.elementsDone}/${progress.elementsTotal}`);
  }
  return parts.join('  ');
}
