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

/**
 * A list after a label, wrapped to `width` columns: continuation lines are indented under the
 * first item. An item longer than the line still gets a line of its own.
 */
export function wrapList(label: string, items: readonly string[], width: number, separator = ', '): string[] {
  const indent = ' '.repeat(width === 0 ? 0 : [...label].length);
  const lines: string[] = [];
  let line = label;
  let empty = true;
  items.forEach((item, i) => {
    const piece = i < items.length - 1 ? `${item}${separator.trimEnd()}` : item;
    const candidate = empty ? `${line}${piece}` : `${line} ${piece}`;
    if (!empty && [...candidate].length > width) {
      lines.push(line);
      line = `${indent}${piece}`;
    } else line = candidate;
    empty = false;
  });
  lines.push(line);
  return lines;
}
