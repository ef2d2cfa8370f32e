import { parsePrometheus, sumOf } from './prometheus';

describe('parsePrometheus', () => {
  it.each([
    ['a sample with labels', 'x_total{a="1",b="two"} 3', [{ name: 'x_total', labels: { a: '1', b: 'two' }, value: 3 }]],
    ['a sample without labels and a timestamp', 'up 1 1700000000000', [{ name: 'up', labels: {}, value: 1 }]],
    ['escaped label values', 'm{path="a\\"b\\\\c"} 0.5', [{ name: 'm', labels: { path: 'a"b\\c' }, value: 0.5 }]],
    ['+Inf buckets', 'h_bucket{le="+Inf"} 7', [{ name: 'h_bucket', labels: { le: '+Inf' }, value: 7 }]],
    ['comments and blank lines', '# HELP x y\n# TYPE x counter\n\nx 1', [{ name: 'x', labels: {}, value: 1 }]],
  ])('reads %s', (_what, text, expected) => {
    expect(parsePrometheus(text)).toEqual(expected);
  });

  it.each(['not a metric line at all', 'x{a="1"} notanumber'])('rejects %j', (text) => {
    expect(() => parsePrometheus(text)).toThrow();
  });

  it('sums the samples that match', () => {
    const s = parsePrometheus('c{k="a",s="1"} 2\nc{k="a",s="2"} 3\nc{k="b",s="1"} 5');
    expect(sumOf(s, 'c', { k: 'a' })).toBe(5);
    expect(sumOf(s, 'c')).toBe(10);
  });
});
