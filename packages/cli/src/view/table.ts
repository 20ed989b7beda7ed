/** Plain-text and markdown tables, for `catalog` and `report`. */

export type Alignment = 'left' | 'right';

const width = (text: string) => [...text].length;

export function textTable(headers: string[], rows: string[][], align: Alignment[] = []): string {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const cell = (text: string, i: number) => {
    const pad = ' '.repeat(widths[i]! - width(text));
    return align[i] === 'right' ? pad + text : text + pad;
  };
  const line = (cells: string[]) => cells.map(cell).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const escapeMarkdown = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(headers: string[], rows: string[][], align: Alignment[] = []): string {
  const line = (cells: string[]) => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
  const rule = `| ${headers.map((_, i) => (align[i] === 'right' ? '---:' : '---')).join(' | ')} |`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}
