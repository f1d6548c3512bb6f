import { json, setPath, withApplicant, type HostileInput, type Mutator } from './hostile-kit';

// Hostile values in the case's fields: ID numbers, types, text tricks, rules of the contract.

/** Every wrong check character of a valid ID (10 of the 11 possible). */
export const badCheckDigits: Mutator = (base, personal) => {
  const id = base.applicant.idNumber as string;
  return '0123456789X'
    .split('')
    .filter((c) => c !== id[17])
    .map((c) => {
      const bad = personal.remember('id', id.slice(0, 17) + c);
      return json('bad-check-digit', `check ${c}`, withApplicant(base, { idNumber: bad }));
    });
};

export const badIdShapes: Mutator = (base, personal) => {
  const id = base.applicant.idNumber as string;
  const fullwidth = id.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
  const arabic = id.replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d)));
  const variants: Array<[string, string]> = [
    ['17 digits', id.slice(0, 17)],
    ['19 characters', `${id}1`],
    ['letter inside', `${id.slice(0, 8)}A${id.slice(9)}`],
    ['space inside', `${id.slice(0, 6)} ${id.slice(6)}`],
    ['zero-width space inside', `${id.slice(0, 6)}\u200b${id.slice(6)}`],
    ['fullwidth digits', fullwidth],
    ['Arabic-Indic digits', arabic],
    ['month 13', `${id.slice(0, 10)}13${id.slice(12)}`],
    ['30 February', `${id.slice(0, 6)}19900230${id.slice(14)}`],
    ['born 1850', `${id.slice(0, 6)}1850${id.slice(10)}`],
    ['born 2099', `${id.slice(0, 6)}2099${id.slice(10)}`],
    ['empty', ''],
    ['33 characters', id + id.slice(0, 15)],
  ];
  return variants.map(([name, value]) => {
    if (/^\d{17}[\dX]$/.test(value)) personal.remember('id', value);
    return json('bad-id', name, withApplicant(base, { idNumber: value }));
  });
};

/** Wrong JSON types at every required field (null only where the field is required). */
export const wrongTypes: Mutator = (base) => {
  const required = [
    'externalId',
    'serviceCode',
    'region',
    'region.code',
    'applicant',
    'applicant.name',
    'applicant.idType',
    'applicant.idNumber',
    'acceptedAt',
    'acceptedBy',
    'acceptedBy.operatorId',
    'acceptedBy.channel',
  ];
  const values: Array<[string, unknown]> = [
    ['number', 12345],
    ['boolean', true],
    ['null', null],
    ['array', ['x']],
    ['object', { x: 1 }],
    ['empty string', ''],
  ];
  const out: HostileInput[] = [];
  for (const path of required)
    for (const [name, value] of values) {
      // An empty object is a valid shape where the field is an object with its own required fields;
      // the object-typed fields get a string instead.
      out.push(json('wrong-type', `${path} as ${name}`, setPath(base, path, value)));
    }
  for (const [path, value] of [
    ['applicant.phone', 13800138000],
    ['applicant.phone', ['13800138000']],
    ['form', 'text'],
    ['form', ['x']],
    ['form.reason', 42],
    ['form.unemployedSince', 20261031],
    ['attachments', { type: 'A' }],
    ['attachments', ['not an object']],
    ['schemaVersion', 2],
    ['schemaVersion', '1'],
  ] as Array<[string, unknown]>)
    out.push(json('wrong-type', `${path} as ${JSON.stringify(value)}`, setPath(base, path, value)));
  return out;
};

export const unicodeTricks: Mutator = (base, personal) => {
  const phone = base.applicant.phone as string;
  const names: Array<[string, string]> = [
    ['bidi override', '张\u202e三'],
    ['bidi isolate', '张\u2066三\u2069'],
    ['zero-width space', '张\u200b三'],
    ['zero-width joiner', '张\u200d三'],
    ['NUL', '张\u0000三'],
    ['newline', '张\n三'],
    ['C1 control', '张\u0085三'],
    ['unpaired high surrogate', '张\ud800'],
    ['unpaired low surrogate', '\udc00张'],
    ['combining marks only', '\u0301\u0301'],
    ['emoji', '张😀'],
    ['script tag', '<script>alert(1)</script>'],
    ['SQL', "x'); DROP TABLE cases;--"],
    ['digits', '12345'],
    ['ideographic full stop', '张．三'],
    ['two spaces', '张  三'],
    ['replacement character', '张\ufffd'],
  ];
  const out = names.map(([name, value]) =>
    json('unicode', `name with ${name}`, withApplicant(base, { name: value })),
  );
  const fullwidthPhone = phone.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
  out.push(json('unicode', 'fullwidth phone', withApplicant(base, { phone: fullwidthPhone })));
  out.push(
    json(
      'unicode',
      'phone with bidi mark',
      withApplicant(base, { phone: `\u202e${personal.remember('phone', phone)}` }),
    ),
  );
  out.push(
    json('unicode', 'externalId with NUL', { ...base, externalId: `${String(base.externalId)}\u0000` }),
  );
  out.push(
    json('unicode', 'externalId with bidi override', {
      ...base,
      externalId: `\u202e${String(base.externalId)}`,
    }),
  );
  out.push(
    json('unicode', 'operatorId with newline', {
      ...base,
      acceptedBy: { ...(base.acceptedBy as object), operatorId: 'op\n1' },
    }),
  );
  out.push(json('unicode', 'lower-case service code', { ...base, serviceCode: 'hrss-unemp-reg' }));
  out.push(json('unicode', 'fullwidth acceptedAt', { ...base, acceptedAt: '２０２６-11-01T09:30:00+08:00' }));
  return out;
};

export const semantics: Mutator = (base) => {
  const now = Date.now();
  return [
    json('semantics', 'unknown service', { ...base, serviceCode: 'NO-SUCH-SERVICE' }),
    json('semantics', 'route for other regions only', {
      ...base,
      serviceCode: 'HEALTH-BIRTH-REG',
      form: { childOrder: 1 },
    }),
    json('semantics', 'unknown county', { ...base, region: { code: '999999001001' } }),
    json('semantics', 'region of 4 digits', { ...base, region: { code: '5101' } }),
    json('semantics', 'acceptedAt in the future', {
      ...base,
      acceptedAt: new Date(now + 3_600_000).toISOString(),
    }),
    json('semantics', 'acceptedAt without offset', { ...base, acceptedAt: '2026-11-01T09:30:00' }),
    json('semantics', 'acceptedAt not a real date', { ...base, acceptedAt: '2026-02-30T09:30:00+08:00' }),
    json('semantics', 'another platform as source', { ...base, source: 'other-platform' }),
    json('semantics', 'unknown top-level property', { ...base, priority: 'HIGH' }),
    json('semantics', 'unknown applicant property', withApplicant(base, { nickname: 'x' })),
    json('semantics', 'unknown channel', {
      ...base,
      acceptedBy: { ...(base.acceptedBy as object), channel: 'FAX' },
    }),
    json('semantics', 'unknown idType', withApplicant(base, { idType: 'DRIVING_LICENCE' })),
    json(
      'semantics',
      'passport number with symbols',
      withApplicant(base, { idType: 'PASSPORT', idNumber: 'E12-345' }),
    ),
    json('semantics', 'form missing required fields', { ...base, form: {} }),
    json('semantics', 'form with an unknown reason', {
      ...base,
      form: { ...(base.form as object), reason: 'BORED' },
    }),
    json('semantics', 'attachment with two carriers', {
      ...base,
      attachments: [
        {
          type: 'A',
          name: 'a.pdf',
          mediaType: 'application/pdf',
          sha256: 'a'.repeat(64),
          url: 'https://x.example/a',
          licenseRef: 'L1',
        },
      ],
    }),
    json('semantics', 'attachment hash mismatch', {
      ...base,
      attachments: [
        {
          type: 'A',
          name: 'a.txt',
          mediaType: 'text/plain',
          sha256: 'b'.repeat(64),
          contentBase64: Buffer.from('hello').toString('base64'),
        },
      ],
    }),
  ];
};
