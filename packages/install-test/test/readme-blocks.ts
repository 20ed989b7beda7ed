import { readFileSync } from 'node:fs';

/** A code block of the README marked `<!-- install-test: NAME -->` on the line before it. */
export interface ReadmeBlock {
  /** The file name the marker gives (`app.mjs`, `install.sh` …). */
  name: string;
  /** The fence's language. */
  language: string;
  code: string;
}

const marked = /<!-- install-test: (\S+) -->\n```(\w*)\n([\s\S]*?)```/g;

/** Every marked block of a README, in order; a marker without a block right after it is an error. */
export function readmeBlocks(readmePath: string): ReadmeBlock[] {
  const text = readFileSync(readmePath, 'utf8');
  const blocks = [...text.matchAll(marked)].map(([, name, language, code]) => ({
    name: name!,
    language: language!,
    code: code!,
  }));
  const markers = text.match(/<!-- install-test:/g)?.length ?? 0;
  if (markers !== blocks.length) {
    throw new Error(
      `${readmePath}: ${markers} install-test markers but ${blocks.length} marked code blocks; put each marker on the line right before its fence`,
    );
  }
  return blocks;
}

/** The commands of a shell block: one per line, comments and blank lines dropped. */
export function shellCommands(block: ReadmeBlock): string[][] {
  return block.code
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean)
    .map((line) => {
      if (/["'`$\\|;&<>]/.test(line)) {
        throw new Error(`${block.name}: "${line}" needs a shell; keep install-test commands to plain words`);
      }
      return line.split(/\s+/);
    });
}
