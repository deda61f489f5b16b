// What a site manager may attach to a request, checked before a file is queued so
// the reason shows at once, even offline. The server checks again; its answer wins.

import type { Key } from './i18n';

/** At most this many bytes per file (10 MiB). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** At most this many files on one request, attached and queued together. */
export const MAX_FILES_PER_REQUEST = 5;
/** Photos and PDF documents; the server reads `image/heif` as HEIC too. */
export const ACCEPTED_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif', 'application/pdf'];
/** Read only when the system names no type (HEIC often has none outside Apple systems). */
export const ACCEPTED_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.webp', '.heic', '.heif', '.pdf'];
/** The file picker's filter, the same list. */
export const PICKER_ACCEPT = 'image/png,image/jpeg,image/webp,image/heic,.heic,.heif,application/pdf';

/** Why a file is refused, as a message key that takes the file's name. */
export type FileProblem = Extract<Key, 'files.wrongType' | 'files.tooLarge' | 'files.empty' | 'files.tooMany'>;

/** What `checkFile` reads of a file: a browser `File`, or anything shaped like it. */
export interface FileFacts {
  name: string;
  type: string;
  size: number;
}

function accepted(file: FileFacts): boolean {
  const type = file.type.split(';')[0].trim().toLowerCase();
  if (type) return ACCEPTED_TYPES.includes(type);
  const name = file.name.toLowerCase();
  return ACCEPTED_EXTENSIONS.some((extension) => name.endsWith(extension));
}

/** Why `file` may not be added to a request already holding `alreadyOnRequest` files; null when it may. */
export function checkFile(file: FileFacts, alreadyOnRequest: number): FileProblem | null {
  if (!accepted(file)) return 'files.wrongType';
  if (file.size > MAX_FILE_BYTES) return 'files.tooLarge';
  if (file.size === 0) return 'files.empty';
  if (alreadyOnRequest >= MAX_FILES_PER_REQUEST) return 'files.tooMany';
  return null;
}

/** Splits picked or dropped files into those to queue and those refused, counting each accepted one. */
export function sortFiles<F extends FileFacts>(
  files: readonly F[],
  alreadyOnRequest: number,
): { accepted: F[]; refused: { file: F; problem: FileProblem }[] } {
  const result: { accepted: F[]; refused: { file: F; problem: FileProblem }[] } = { accepted: [], refused: [] };
  for (const file of files) {
    const problem = checkFile(file, alreadyOnRequest + result.accepted.length);
    if (problem) result.refused.push({ file, problem });
    else result.accepted.push(file);
  }
  return result;
}
