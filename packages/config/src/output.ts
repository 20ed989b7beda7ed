import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** Generated files by path relative to the output folder. */
export type GeneratedFiles = Readonly<Record<string, string>>;

/**
 * Write `files` into `outDir` atomically: everything goes to a temporary folder beside it, which
 * then replaces `outDir`. A failure at any point leaves the previous contents as they were and no
 * temporary folder behind. Returns the absolute paths written.
 */
export function writeFilesAtomically(outDir: string, files: GeneratedFiles): string[] {
  const target = resolve(outDir);
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}.tmp-`));
  try {
    for (const [path, text] of Object.entries(files)) {
      const full = join(staging, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
    if (existsSync(target)) {
      const previous = `${staging}.previous`;
      renameSync(target, previous);
      try {
        renameSync(staging, target);
      } catch (error) {
        renameSync(previous, target);
        throw error;
      }
      rmSync(previous, { recursive: true, force: true });
    } else {
      renameSync(staging, target);
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return Object.keys(files).map((path) => join(target, path));
}

/** Files of one part placed under a folder of the whole: `{ 'a.yml': … }` → `{ 'alerts/a.yml': … }`. */
export function underFolder(folder: string, files: GeneratedFiles): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([path, text]) => [join(folder, path), text]));
}
