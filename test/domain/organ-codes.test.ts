/**
 * The organ codes of 索引号 (domain/index-number.ts): both code systems end in a check character, so
 * a placeholder or a mistyped code is told from a real one before the portal shows it on every
 * document page. Pure.
 */
import { describe, expect, it } from 'vitest';
import { organCodeCheckProblem, organCodeWarnings } from '../../domain/index-number.js';

describe('organ codes', () => {
  it('accepts real codes of both systems: the standards’ own examples and the State Council’s', () => {
    // GB 32100-2015's example, the State Council's 统一社会信用代码, GB 11714-1997's example, and the
    // organ code the State Council's own 索引号 begin with (000014349/2017-00110).
    for (const code of ['91350100M000100Y43', '11100000000013127D', 'D2143569X', '000014349']) expect(organCodeCheckProblem(code), code).toBeNull();
  });

  it('names the check character a 统一社会信用代码 or a 组织机构代码 should end in', () => {
    expect(organCodeCheckProblem('11610103MB2968XXXX')).toEqual({ system: '统一社会信用代码', expected: '6' });
    expect(organCodeCheckProblem('91350100M000100Y44')).toEqual({ system: '统一社会信用代码', expected: '3' });
    expect(organCodeCheckProblem('D21435691')).toEqual({ system: '组织机构代码', expected: 'X' });
    // A 统一社会信用代码 never uses I, O, S, V or Z.
    expect(organCodeCheckProblem('91350100M000100O43')).toEqual({ system: '统一社会信用代码', expected: null, unused: 'O' });
  });

  it('warns of each code in the scheme that does not check, with its place, in both languages', () => {
    const scheme = { defaultOrganCode: '11610103MB2968XXXX', serialWidth: 5, unitOrganCodes: { jyj: '91350100M000100Y43', fgw: '11610103MB2968FGWX' } };
    const place = (field: string) => `index-numbers.yaml:${field === 'defaultOrganCode' ? 14 : 18}`;
    expect(organCodeWarnings(scheme, place)).toEqual([
      'index-numbers.yaml:14: defaultOrganCode 11610103MB2968XXXX is not a valid 统一社会信用代码 (GB 32100-2015): its check character, the 18th, should be 6 for the 17 before it. A sample or mistyped code: every document’s 索引号 on the portal carries it; write the organ’s real 统一社会信用代码.'.replaceAll(
        '’',
        "'",
      ),
      expect.stringMatching(/^index-numbers\.yaml:18: units\.fgw 11610103MB2968FGWX is not a valid/),
    ]);
    expect(organCodeWarnings(scheme, place, true)[0]).toBe(
      'index-numbers.yaml:14：defaultOrganCode 11610103MB2968XXXX 不是有效的统一社会信用代码（GB 32100-2015）：按前 17 位，第 18 位校验码应为 6。这是示例或录错的代码，门户网站每个文件的索引号都带有它：请填写该机关真实的统一社会信用代码。',
    );
    expect(organCodeWarnings({ ...scheme, defaultOrganCode: '11100000000013127D', unitOrganCodes: {} }, place)).toEqual([]);
  });
});
