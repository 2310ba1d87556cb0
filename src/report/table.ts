/**
 * Aligned columns. Widths come from the plain text; colour is applied after padding, so escape
 * codes never upset the alignment. The last column is never padded (it holds free text).
 */

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

export interface Cell {
  text: string;
  /** Paints the padded text (colour); the width is measured before. */
  paint?: (text: string) => string;
}

export type CellInput = string | Cell;

const width = (text: string) => [...text].length;

function padCell(text: string, size: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)));
  return align === 'right' ? fill + text : text + fill;
}

export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly CellInput[])[],
  options: { indent?: string; headerPaint?: (text: string) => string } = {},
): string[] {
  const indent = options.indent ?? '  ';
  const cells = rows.map((row) => row.map((cell): Cell => (typeof cell === 'string' ? { text: cell } : cell)));
  const widths = columns.map((column, index) =>
    Math.max(width(column.header), ...cells.map((row) => width(row[index]?.text ?? ''))),
  );
  const line = (row: readonly Cell[]) =>
    indent +
    columns
      .map((column, index) => {
        const cell = row[index] ?? { text: '' };
        const last = index === columns.length - 1;
        const padded =
          last && column.align !== 'right' ? cell.text : padCell(cell.text, widths[index]!, column.align ?? 'left');
        return cell.paint ? cell.paint(padded) : padded;
      })
      .join('  ')
      .trimEnd();
  const header = line(
    columns.map((column) => ({ text: column.header, ...(options.headerPaint ? { paint: options.headerPaint } : {}) })),
  );
  return [header, ...cells.map(line)];
}
