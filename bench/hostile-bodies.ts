/**
 * What a hostile body costs the decoder, against what a partner's honest body of the same size costs.
 * PayCheck's own path accepts 16 MiB (CONTRACT §10), so the largest hostile bodies are that size; the honest
 * reference is a PayCheck carrying a reconciliation file that fills the limit. A ratio at or below 1 means a
 * hostile body makes the service work no harder than a legitimate one. Measured in this process, decoding only
 * (no HTTP): the median of several runs.
 */
import { performance } from 'node:perf_hooks';
import { decodeMessage, MessageFormat, MessageFormatError } from '../src/protocol/codec';
import { PAYCHECK_BODY_LIMIT } from '../src/protocol/partner-operation';

const RUNS = 7;

export interface DecodeFigures {
  name: string;
  format: MessageFormat;
  bytes: number;
  ms: number;
  /** What the decoder said: `accepted`, or the refusal's message. */
  outcome: string;
}

/** A PayCheck body whose FileContent takes it close to the 16 MiB limit. */
function honestPayCheck(format: MessageFormat): Buffer {
  const fields = (content: string) => ({
    Version: '1.0.1',
    InstId: '00001',
    TranCode: 'PayCheck',
    TranDate: '20250101',
    TranSeq: 'BENCH0001',
    CompanyId: '654321',
    PayDate: '20241231',
    TotalCount: '200000',
    TotalAmount: '3000000000.00',
    FileName: '654321_20241231.txt',
    FileContent: content,
  });
  const line = Buffer.from('20241231|00001|P000000000001|654321|BK0000001|Pay|150.00|0|1\n').toString('base64');
  const content = line.repeat(Math.floor((PAYCHECK_BODY_LIMIT - 1024) / line.length));
  if (format === 'JSON') return Buffer.from(JSON.stringify(fields(content)));
  const elements = Object.entries(fields(content))
    .map(([name, value]) => `<${name}>${value}</${name}>`)
    .join('');
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><in>${elements}</in>`);
}

const BILLION_LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
  ']><in><Version>&lol9;</Version></in>';

function hostileBodies(): { name: string; format: MessageFormat; body: Buffer }[] {
  const size = PAYCHECK_BODY_LIMIT - 64;
  const repeated = (head: string, unit: string, tail: string) =>
    Buffer.from(head + unit.repeat(Math.floor((size - head.length - tail.length) / unit.length)) + tail);
  const distinct = (head: string, unit: (i: number) => string, tail: string) => {
    const parts = [head];
    let length = head.length + tail.length;
    for (let i = 0; length < size; i++) {
      parts.push(unit(i));
      length += parts[parts.length - 1].length;
    }
    return Buffer.from(parts.join('') + tail);
  };
  return [
    { name: 'XML: tower of unclosed tags', format: 'XML', body: repeated('<in>', '<A>', '') },
    { name: 'XML: list of empty items', format: 'XML', body: repeated('<in><L>', '<Item/>', '</L></in>') },
    { name: 'XML: distinct empty elements', format: 'XML', body: distinct('<in>', (i) => `<A${i}/>`, '</in>') },
    { name: 'XML: billion laughs', format: 'XML', body: Buffer.from(BILLION_LAUGHS) },
    { name: 'JSON: open brackets', format: 'JSON', body: repeated('{"A":', '[', '') },
    { name: 'JSON: list of numbers', format: 'JSON', body: repeated('{"L":[', '1,', '1]}') },
    { name: 'JSON: distinct keys', format: 'JSON', body: distinct('{', (i) => `"A${i}":1,`, '"Z":1}') },
  ];
}

function timeDecode(format: MessageFormat, body: Buffer): { ms: number; outcome: string } {
  const times: number[] = [];
  let outcome = 'accepted';
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    try {
      decodeMessage(format, body);
      outcome = 'accepted';
    } catch (error) {
      if (!(error instanceof MessageFormatError)) throw error;
      outcome = error.message;
    }
    times.push(performance.now() - started);
  }
  return { ms: times.sort((a, b) => a - b)[Math.floor(RUNS / 2)], outcome };
}

export function hostileScenario(): { honest: Record<MessageFormat, DecodeFigures>; hostile: DecodeFigures[] } {
  const honest = {} as Record<MessageFormat, DecodeFigures>;
  for (const format of ['XML', 'JSON'] as const) {
    const body = honestPayCheck(format);
    honest[format] = { name: `${format}: honest 16 MiB PayCheck`, format, bytes: body.length, ...timeDecode(format, body) };
  }
  const hostile = hostileBodies().map(({ name, format, body }) => ({ name, format, bytes: body.length, ...timeDecode(format, body) }));
  return { honest, hostile };
}

export function reportHostile({ honest, hostile }: ReturnType<typeof hostileScenario>): void {
  console.log(`\nHostile bodies (decoding only, median of ${RUNS}; ratio against the honest PayCheck of the same format)`);
  console.log('body'.padEnd(42), 'bytes'.padStart(10), 'ms'.padStart(8), 'ratio'.padStart(6), ' outcome');
  for (const f of [honest.XML, honest.JSON, ...hostile]) {
    console.log(
      f.name.padEnd(42),
      String(f.bytes).padStart(10),
      f.ms.toFixed(1).padStart(8),
      (f.ms / honest[f.format].ms).toFixed(2).padStart(6),
      ` ${f.outcome}`,
    );
  }
}
