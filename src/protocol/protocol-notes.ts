import { MAX_MESSAGE_NODES } from './codec/message';

/** Where CONTRACT.md is silent or ambiguous, what this service does; published in the OpenAPI document. */
export const PROTOCOL_NOTES = `
### Interpretations of the wire contract
- **Order of the first checks**: an unsupported content type (415 \`PRM3008\`) is answered before an oversize body (413 \`PRM3007\`); both are JSON.
- **InstId, TranCode, Version** are compared with the key, the path and \`1.0.1\` when present; a missing one is \`PRM3002\` at the field step.
- **Size of a message's tree**: besides nesting deeper than 16 (§3), a request holding more than ${MAX_MESSAGE_NODES.toLocaleString('en-US')} elements (XML, \`<in>\` included) or values (JSON: every object, array, string, number and literal) is \`PRM3001\`. §4's largest lists (1,000 items) need about 9,000; only PayCheck's 16 MiB path could carry more, and the cap keeps such a body from occupying the service for seconds.
- **Unknown fields** in a request are ignored; fields an operation declares are bound strictly: text fields must be strings (a JSON number there is \`PRM3003\`), integers a JSON number or numeric string.
- **TranSeq** may not start with \`REV\` (case-sensitive: the service's reversal numbers are \`REV\` + TranSeq).
- **Gateway**: a missing TranCode is \`PRM3002\`; an unknown one, or \`PayCheck\`, is \`PRM3004\`.
- **Unknown path under /api/app/**: HTTP 404 with a \`PRM3004\` envelope, in the request's format (JSON when it has none).
- **Response Version** is always \`1.0.1\`, the version the answer is written in, even to a request that claimed another (\`PRM3005\`).
- **Charset of errors**: an XML request refused before or while it is decoded (\`SEC…\`, \`PRM3001\`) is answered in the encoding its XML declaration, else its Content-Type charset, names; a security error of an encrypted request, whose declaration is inside the ciphertext, in UTF-8 unless Content-Type names a charset.
- **Read timeout**: a body not received in time is answered 408 \`NET5001\` in JSON, like 413.
- **Processing deadline**: 408 \`NET5001\` is answered when the deadline passes, and work still running then is rolled back; work already committing answers with its result, however late.
- **Replays** are answered before the rate-limit step, so they carry no \`X-RateLimit-*\` headers.
- **Rate limits**: the per-key limit is checked before the per-institution one; a request refused by the institution limit has already counted against its key.
- **Idempotency**: a request refused before the idempotency step (format, security, field errors) or by a rate limit, a timeout or a system error is not stored and may be resent with the same TranSeq.
- **Companies** are assigned to institutions; several institutions may collect for one company, each seeing only its own transactions.
`;
