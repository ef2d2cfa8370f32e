import { errorFromBody, SCHEMA_ERROR, ScimError, ScimErrors, toErrorBody, type ScimType } from './errors';

describe('ScimErrors catalogue', () => {
  const cases: [keyof typeof ScimErrors, ScimError, number, ScimType | undefined][] = [
    ['invalidSyntax', ScimErrors.invalidSyntax('d'), 400, 'invalidSyntax'],
    ['invalidValue', ScimErrors.invalidValue('d'), 400, 'invalidValue'],
    ['invalidFilter', ScimErrors.invalidFilter('d'), 400, 'invalidFilter'],
    ['tooMany', ScimErrors.tooMany('d'), 400, 'tooMany'],
    ['uniqueness', ScimErrors.uniqueness('d'), 409, 'uniqueness'],
    ['mutability', ScimErrors.mutability('d'), 400, 'mutability'],
    ['invalidPath', ScimErrors.invalidPath('d'), 400, 'invalidPath'],
    ['noTarget', ScimErrors.noTarget('d'), 400, 'noTarget'],
    ['invalidVers', ScimErrors.invalidVers('d'), 400, 'invalidVers'],
    ['sensitive', ScimErrors.sensitive('d'), 400, 'sensitive'],
    ['notFound', ScimErrors.notFound('d'), 404, undefined],
    ['unauthorized', ScimErrors.unauthorized('d'), 401, undefined],
    ['forbidden', ScimErrors.forbidden('d'), 403, undefined],
    ['methodNotAllowed', ScimErrors.methodNotAllowed('d'), 405, undefined],
    ['preconditionFailed', ScimErrors.preconditionFailed('d'), 412, undefined],
    ['payloadTooLarge', ScimErrors.payloadTooLarge('d'), 413, undefined],
    ['unsupportedMediaType', ScimErrors.unsupportedMediaType('d'), 415, undefined],
    ['tooManyRequests', ScimErrors.tooManyRequests('d', 5), 429, undefined],
    ['serviceUnavailable', ScimErrors.serviceUnavailable('d', 30), 503, undefined],
  ];

  it.each(cases)('%s builds a ScimError with the right status and scimType', (_name, error, status, scimType) => {
    expect(error).toBeInstanceOf(ScimError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ScimError');
    expect(error.status).toBe(status);
    expect(error.scimType).toBe(scimType);
    expect(error.detail).toBe('d');
    expect(error.message).toBe('d');
  });

  it.each([
    ['tooManyRequests', ScimErrors.tooManyRequests('slow down', 5), '5'],
    ['serviceUnavailable', ScimErrors.serviceUnavailable('down', 30), '30'],
    ['tooManyRequests with a fractional delay rounds up', ScimErrors.tooManyRequests('x', 1.2), '2'],
  ])('%s carries a Retry-After header', (_name, error, header) => {
    expect(error.headers).toEqual({ 'Retry-After': header });
  });

  it('internal says only the request id, never the cause', () => {
    const error = ScimErrors.internal('req-123');
    expect(error.status).toBe(500);
    expect(error.scimType).toBeUndefined();
    expect(error.detail).toBe('internal error, request id req-123');
  });
});

describe('toErrorBody', () => {
  it.each([
    [ScimErrors.uniqueness('userName taken'), { schemas: [SCHEMA_ERROR], status: '409', scimType: 'uniqueness', detail: 'userName taken' }],
    [ScimErrors.notFound('no such user'), { schemas: [SCHEMA_ERROR], status: '404', detail: 'no such user' }],
  ])('renders %p as the RFC 7644 §3.12 body with status as a string', (error, body) => {
    expect(toErrorBody(error)).toStrictEqual(body);
  });
});

describe('errorFromBody', () => {
  it.each([
    ['a string status', { schemas: [SCHEMA_ERROR], status: '409', scimType: 'uniqueness', detail: 'x' }, 409, 'uniqueness', 'x'],
    ['a numeric status', { status: 404, detail: 'gone' }, 404, undefined, 'gone'],
    ['an unknown scimType', { status: '400', scimType: 'bogus', detail: 'x' }, 400, undefined, 'x'],
    ['a missing status', { detail: 'x' }, 502, undefined, 'x'],
    ['a non-error status', { status: '200', detail: 'x' }, 502, undefined, 'x'],
    ['a garbage status', { status: '4xx', detail: 'x' }, 502, undefined, 'x'],
    ['a non-object body', 'oops', 502, undefined, 'error'],
    ['a null body', null, 502, undefined, 'error'],
    ['an array body', [], 502, undefined, 'error'],
  ])('rebuilds a ScimError from %s', (_name, body, status, scimType, detail) => {
    const error = errorFromBody(body, 502);
    expect(error).toBeInstanceOf(ScimError);
    expect(error.status).toBe(status);
    expect(error.scimType).toBe(scimType);
    expect(error.detail).toBe(detail);
  });

  it.each([
    ScimErrors.invalidFilter('bad filter at position 3'),
    ScimErrors.uniqueness('dup'),
    ScimErrors.notFound('nope'),
  ])('round-trips %p through toErrorBody', (error) => {
    const back = errorFromBody(JSON.parse(JSON.stringify(toErrorBody(error))), 500);
    expect([back.status, back.scimType, back.detail]).toEqual([error.status, error.scimType, error.detail]);
  });

  it('keeps string headers so Retry-After survives a Kafka hop', () => {
    const error = errorFromBody({ status: '429', detail: 'x', headers: { 'Retry-After': '7', bad: 1 } }, 500);
    expect(error.headers).toEqual({ 'Retry-After': '7' });
  });
});
