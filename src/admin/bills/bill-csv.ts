import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { CsvError, parse } from 'csv-parse/sync';

/** The columns of a bills/import file, matched by header name in any order. */
export const BILL_CSV_COLUMNS = [
  'companyId',
  'billKey',
  'customerName',
  'amount',
  'lateFee',
  'period',
  'dueDate',
  'startDate',
  'endDate',
  'billNo',
] as const;
export type BillCsvColumn = (typeof BILL_CSV_COLUMNS)[number];
const REQUIRED_COLUMNS: readonly BillCsvColumn[] = ['companyId', 'billKey', 'amount', 'period', 'dueDate'];

export const MAX_IMPORT_ROWS = 10_000;

/** A problem in a CSV file, by line (the header is line 1). */
export interface CsvLineError {
  line: number;
  field?: string;
  message: string;
}

/** One data row; an empty or missing cell is left out. */
export interface BillCsvRow {
  line: number;
  values: Partial<Record<BillCsvColumn, string>>;
}

function isBillCsvColumn(name: string): name is BillCsvColumn {
  return (BILL_CSV_COLUMNS as readonly string[]).includes(name);
}

function unusableFile(message: string, errors: CsvLineError[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message, errors });
}

/**
 * Splits a bills CSV into rows of named cells. A file that cannot be read as a whole (not CSV, bad header,
 * no rows) is refused at once; rows whose cells do not fit the header come back as `errors`, with the rest.
 */
export function readBillCsv(text: string): { rows: BillCsvRow[]; errors: CsvLineError[] } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // csv-parse miscounts lines after an empty CRLF line, so line endings are normalised first.
    records = parse(text.replace(/\r\n?/g, '\n'), {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError) {
      throw unusableFile('the file is not readable CSV, nothing imported', [
        { line: (error as CsvError & { lines?: number }).lines ?? 1, message: error.message },
      ]);
    }
    throw error;
  }
  if (records.length === 0) throw unusableFile('the file is empty, nothing imported', [{ line: 1, message: 'expected a header row' }]);
  if (records.length - 1 > MAX_IMPORT_ROWS) {
    throw new PayloadTooLargeException(`at most ${MAX_IMPORT_ROWS} bill rows per import; this file has ${records.length - 1}`);
  }

  // Data lines are counted from where a record starts, which is before any line break quoted inside it.
  const startLine = ({ record, info }: { record: string[]; info: { lines: number } }) =>
    info.lines - record.reduce((breaks, cell) => breaks + (cell.match(/\n/g)?.length ?? 0), 0);

  const [header, ...data] = records;
  const headerLine = startLine(header);
  const headerErrors: CsvLineError[] = [];
  header.record.forEach((name, position) => {
    if (!isBillCsvColumn(name)) headerErrors.push({ line: headerLine, message: `unknown column "${name}" (column ${position + 1})` });
    else if (header.record.indexOf(name) !== position)
      headerErrors.push({ line: headerLine, field: name, message: `column ${name} appears twice` });
  });
  for (const required of REQUIRED_COLUMNS) {
    if (!header.record.includes(required)) headerErrors.push({ line: headerLine, field: required, message: `missing column ${required}` });
  }
  if (headerErrors.length > 0) throw unusableFile('the header row is not usable, nothing imported', headerErrors);
  if (data.length === 0)
    throw unusableFile('the file has no bill rows, nothing imported', [
      { line: headerLine, message: 'expected bill rows after the header' },
    ]);

  const columns = header.record as BillCsvColumn[];
  const rows: BillCsvRow[] = [];
  const errors: CsvLineError[] = [];
  for (const entry of data) {
    const line = startLine(entry);
    if (entry.record.length > columns.length) {
      errors.push({ line, message: `${entry.record.length} cells but the header names ${columns.length} columns` });
      continue;
    }
    const values: Partial<Record<BillCsvColumn, string>> = {};
    entry.record.forEach((cell, position) => {
      if (cell !== '') values[columns[position]] = cell;
    });
    rows.push({ line, values });
  }
  return { rows, errors };
}
