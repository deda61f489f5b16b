import { describe, expect, it } from 'vitest';
import { checkFile, MAX_FILE_BYTES, MAX_FILES_PER_REQUEST, sortFiles, type FileFacts } from './upload-rules';

function file(name: string, type: string, size = 1000): FileFacts {
  return { name, type, size };
}

describe('files a site manager may attach', () => {
  it('accepts photos and PDF documents by their type', () => {
    for (const type of ['image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif', 'application/pdf', 'IMAGE/PNG; x=y']) {
      expect(checkFile(file('a', type), 0)).toBeNull();
    }
  });

  it('reads the extension only when the system names no type', () => {
    for (const name of ['IMG_0042.HEIC', 'a.heif', 'a.png', 'a.JPG', 'a.jpeg', 'a.webp', 'plan.pdf']) {
      expect(checkFile(file(name, ''), 0)).toBeNull();
    }
    expect(checkFile(file('setup.exe', ''), 0)).toBe('files.wrongType');
    expect(checkFile(file('notes', ''), 0)).toBe('files.wrongType');
    expect(checkFile(file('photo.png', 'application/x-msdownload'), 0)).toBe('files.wrongType');
  });

  it('refuses other kinds of files', () => {
    expect(checkFile(file('setup.exe', 'application/x-msdownload'), 0)).toBe('files.wrongType');
    expect(checkFile(file('a.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'), 0)).toBe('files.wrongType');
    expect(checkFile(file('a.gif', 'image/gif'), 0)).toBe('files.wrongType');
  });

  it('takes up to 10 MiB, and nothing empty', () => {
    expect(MAX_FILE_BYTES).toBe(10 * 1024 * 1024);
    expect(checkFile(file('a.pdf', 'application/pdf', MAX_FILE_BYTES), 0)).toBeNull();
    expect(checkFile(file('a.pdf', 'application/pdf', MAX_FILE_BYTES + 1), 0)).toBe('files.tooLarge');
    expect(checkFile(file('a.pdf', 'application/pdf', 0), 0)).toBe('files.empty');
  });

  it('takes at most 5 files on a request', () => {
    expect(MAX_FILES_PER_REQUEST).toBe(5);
    expect(checkFile(file('a.pdf', 'application/pdf'), 4)).toBeNull();
    expect(checkFile(file('a.pdf', 'application/pdf'), 5)).toBe('files.tooMany');
  });

  it('counts the files accepted before in the same pick', () => {
    const picked = ['1.png', '2.png', '3.exe', '4.png', '5.png'].map((name) => file(name, ''));
    const { accepted, refused } = sortFiles(picked, 2);
    expect(accepted.map((f) => f.name)).toEqual(['1.png', '2.png', '4.png']);
    expect(refused.map((r) => [r.file.name, r.problem])).toEqual([
      ['3.exe', 'files.wrongType'],
      ['5.png', 'files.tooMany'],
    ]);
  });
});
