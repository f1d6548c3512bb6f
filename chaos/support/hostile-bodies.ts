import { createHash } from 'node:crypto';
import { json, raw, withApplicant, type HostileInput, type Mutator } from './hostile-kit';

// Hostile bodies and requests: broken JSON, depth, size, prototype keys, transport details.

export const badJson: Mutator = (base) => {
  const text = JSON.stringify(base);
  const cuts = [
    1,
    2,
    10,
    Math.floor(text.length / 3),
    Math.floor(text.length / 2),
    text.length - 2,
    text.length - 1,
  ];
  return [
    ...cuts.map((at) => raw('bad-json', `truncated at ${at}`, text.slice(0, at))),
    raw('bad-json', 'trailing garbage', `${text}x`),
    raw('bad-json', 'two documents', `${text}${text}`),
    raw('bad-json', 'single quotes', text.replace(/"/g, "'")),
    raw('bad-json', 'unquoted keys', text.replace(/"([a-zA-Z]+)":/g, '$1:')),
    raw('bad-json', 'trailing comma', text.replace(/}$/, ',}')),
    raw('bad-json', 'comment', `/* hi */${text}`),
    raw('bad-json', 'NaN', text.replace(/"householdSize":\d+|"region":/, '"x":NaN,"region":')),
    raw('bad-json', 'bad escape', text.replace('"externalId":"', '"externalId":"\\x41')),
    raw('bad-json', 'raw control character', text.replace('"externalId":"', '"externalId":"\u0001')),
    raw('bad-json', 'empty body', ''),
    raw('bad-json', 'null', 'null'),
    raw('bad-json', 'array', '[]'),
    raw('bad-json', 'number', '123'),
    raw('bad-json', 'string', '"case"'),
    raw(
      'bad-json',
      'invalid UTF-8 in the name',
      Buffer.concat([
        Buffer.from(text.slice(0, text.indexOf('"name":"') + 8)),
        Buffer.from([0xff, 0xfe, 0xc0, 0xaf]),
        Buffer.from(text.slice(text.indexOf('"name":"') + 8)),
      ]),
    ),
  ];
};

export const deepNesting: Mutator = (base) => {
  const text = JSON.stringify({ ...base, form: 'PLACEHOLDER' });
  const out: HostileInput[] = [];
  for (const depth of [33, 64, 1_000, 10_000, 100_000]) {
    const objects = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const arrays = '['.repeat(depth) + ']'.repeat(depth);
    out.push(raw('deep', `form ${depth} objects deep`, text.replace('"PLACEHOLDER"', objects)));
    out.push(raw('deep', `form ${depth} arrays deep`, text.replace('"PLACEHOLDER"', arrays)));
  }
  out.push(raw('deep', 'the body 50,000 arrays deep', '['.repeat(50_000) + ']'.repeat(50_000)));
  // Deep but within what the transport can serialize, for the RPC path too.
  let nested: unknown = 1;
  for (let i = 0; i < 2_000; i++) nested = { a: nested };
  out.push(json('deep', 'form 2,000 deep (value)', { ...base, form: nested }));
  return out;
};

export const oversized: Mutator = (base) => {
  const limit = 4 * 1024 * 1024;
  const big = (bytes: number) => JSON.stringify({ ...base, form: { blob: 'x'.repeat(bytes) } });
  const content = Buffer.alloc(2 * 1024 * 1024 + 1, 7);
  return [
    raw('oversized', 'body 1 byte over the limit', big(limit)),
    raw('oversized', 'body 8 MB', big(8 * 1024 * 1024)),
    raw('oversized', 'body 24 MB', big(24 * 1024 * 1024)),
    json('oversized', 'inline attachment over 2 MB', {
      ...base,
      attachments: [
        {
          type: 'A',
          name: 'big.bin',
          mediaType: 'application/octet-stream',
          sha256: createHash('sha256').update(content).digest('hex'),
          contentBase64: content.toString('base64'),
        },
      ],
    }),
    json('oversized', 'name of 10,000 letters', withApplicant(base, { name: '张'.repeat(10_000) })),
    json('oversized', 'externalId of 65 characters', { ...base, externalId: 'E'.repeat(65) }),
    json('oversized', 'form with 5,000 keys', {
      ...base,
      form: Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i])),
    }),
    json('oversized', '51 attachments', {
      ...base,
      attachments: Array.from({ length: 51 }, (_, i) => ({
        type: 'A',
        name: `a${i}.pdf`,
        mediaType: 'application/pdf',
        sha256: 'a'.repeat(64),
        licenseRef: `L${i}`,
      })),
    }),
  ];
};

export const prototypeKeys: Mutator = (base) => {
  const text = JSON.stringify(base);
  const out: HostileInput[] = [];
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    for (const [where, anchor] of [
      ['top level', '{'],
      ['applicant', '"applicant":{'],
      ['region', '"region":{'],
      ['form', '"form":{'],
      ['acceptedBy', '"acceptedBy":{'],
    ] as const) {
      const injected = text.replace(anchor, `${anchor}"${key}":{"polluted":true,"isAdmin":true},`);
      out.push({
        ...raw('prototype', `${key} in ${where}`, injected),
        rpc: true,
        body: JSON.parse(injected) as unknown,
      });
    }
  }
  const nested = text.replace('{', '{"constructor":{"prototype":{"polluted":true}},');
  out.push({
    ...raw('prototype', 'constructor.prototype at the top', nested),
    rpc: true,
    body: JSON.parse(nested) as unknown,
  });
  return out;
};

export const transport: Mutator = (base) => {
  const text = JSON.stringify(base);
  return [
    { ...json('auth', 'no API key', base), key: null, rpc: false },
    { ...json('auth', 'wrong API key', base), key: 'tb-wrong-key', rpc: false },
    raw('content-type', 'text/plain', text, 'text/plain'),
    raw(
      'content-type',
      'form-urlencoded',
      `externalId=${String(base.externalId)}`,
      'application/x-www-form-urlencoded',
    ),
    raw(
      'content-type',
      'XML to the JSON endpoint',
      `<case><externalId>${String(base.externalId)}</externalId></case>`,
      'application/xml',
    ),
    raw('content-type', 'no content type', text, ''),
    { ...raw('method', 'PUT on the collection', text), method: 'PUT' },
    { ...raw('method', 'PATCH on the collection', text), method: 'PATCH' },
    { ...raw('path', 'dot segments', text), path: '/api/v1/cases/../cases/%2e%2e/x' },
    { ...raw('path', 'encoded NUL in the path', text), path: '/api/v1/cases%00' },
  ];
};
