/** Personal data detectors: check digits, Luhn, masking, and no false alarms on a government text. */
import { describe, expect, it } from 'vitest';
import { findPersonalData, idCheckCharacter, isFirstGenerationIdNumber, isResidentIdNumber, passesLuhn } from '../../domain/content-gate/personal-data.js';
import { scanText } from '../../domain/content-gate/scan.js';

/** An ID number with its correct check character. */
function idNumber(first17: string): string {
  return first17 + idCheckCharacter(first17);
}
/** The same number with a wrong check character. */
function wrongCheck(first17: string): string {
  const right = idCheckCharacter(first17);
  return first17 + (right === '1' ? '2' : '1');
}
/** A Luhn-valid card number from its first digits. */
function cardNumber(prefix: string, length: number): string {
  let body = prefix.padEnd(length - 1, '7');
  for (let d = 0; d < 10; d += 1) if (passesLuhn(body + d)) return body + d;
  throw new Error('unreachable');
}

const ID = idNumber('61010319900307002');
const ID_X = (() => {
  for (let n = 0; n < 1000; n += 1) {
    const first = `61010319851111${String(n).padStart(3, '0')}`;
    if (idCheckCharacter(first) === 'X') return first + 'X';
  }
  throw new Error('no X');
})();
const CARD = cardNumber('622202', 19);

describe('resident ID numbers (GB 11643)', () => {
  it('accepts a valid check digit (and X), refuses a wrong one, a bad date or province', () => {
    expect(isResidentIdNumber(ID)).toBe(true);
    expect(isResidentIdNumber(ID_X)).toBe(true);
    expect(isResidentIdNumber(ID_X.toLowerCase())).toBe(true);
    expect(isResidentIdNumber(wrongCheck('61010319900307002'))).toBe(false);
    expect(isResidentIdNumber(idNumber('61010319900230002'))).toBe(false); // 30 February
    expect(isResidentIdNumber(idNumber('99010319900307002'))).toBe(false); // no province 99
    expect(isResidentIdNumber(idNumber('61010318000307002'))).toBe(false); // born 1800
  });

  it('finds a valid one in text, masked; a wrong check digit is not reported at all', () => {
    const text = `申请人张某，身份证号${ID}，住碑林区。另一人身份证号${wrongCheck('61010319900307003')}。`;
    const hits = findPersonalData(text);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ code: 'personal_id_number', start: text.indexOf(ID), masked: `610103********${ID.slice(14)}` });
  });

  it('full-width digits count; an ID inside a longer run of digits does not', () => {
    const wide = ID.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    expect(findPersonalData(`身份证：${wide}`)[0]?.code).toBe('personal_id_number');
    expect(findPersonalData(`编号 9${ID}1`)).toEqual([]);
  });
});

describe('ID numbers as people write them', () => {
  const masked = `610103********${ID.slice(14)}`;

  it('in groups (6-8-4, 4-4-4-4-2, 3-3-4-4-4) with spaces, hyphens or full-width spaces; the span covers the groups', () => {
    const forms = [
      `${ID.slice(0, 6)} ${ID.slice(6, 14)} ${ID.slice(14)}`,
      `${ID.slice(0, 6)}-${ID.slice(6, 14)}-${ID.slice(14)}`,
      `${ID.slice(0, 6)}\u3000${ID.slice(6, 14)}\u3000${ID.slice(14)}`,
      ID.replace(/(\d{4})(?=.)/g, '$1 '),
      `${ID.slice(0, 3)} ${ID.slice(3, 6)} ${ID.slice(6, 10)} ${ID.slice(10, 14)} ${ID.slice(14)}`,
      `${ID_X.slice(0, 6)} ${ID_X.slice(6, 14)} ${ID_X.slice(14).toLowerCase()}`,
    ];
    for (const form of forms) {
      const text = `申请人身份证号：${form}，已核验。`;
      const hits = findPersonalData(text);
      expect(hits, form).toHaveLength(1);
      expect(hits[0], form).toMatchObject({ code: 'personal_id_number', start: text.indexOf(form), end: text.indexOf(form) + form.length });
    }
    expect(findPersonalData(`证号 ${forms[0]}`)[0]?.masked).toBe(masked);
    const scanned = scanText({ field: '/document/body', text: `身份证 ${forms[3]} 。` }, null);
    expect(scanned[0]!.excerpt).toContain(masked);
    expect(scanned[0]!.excerpt).not.toMatch(/\d{4} \d{4} \d{4}/);
  });

  it('mixed separators, a wrong check digit, or groups inside a longer grouped number are not IDs', () => {
    const wrong = wrongCheck('61010319900307002');
    expect(findPersonalData(`${wrong.slice(0, 6)} ${wrong.slice(6, 14)} ${wrong.slice(14)}`)).toEqual([]);
    expect(findPersonalData(`${ID.slice(0, 6)} ${ID.slice(6, 14)}-${ID.slice(14)}`)).toEqual([]);
    // Groups that continue a grouped number on either side are that number's digits, not an ID.
    expect(findPersonalData(`编号 12 ${ID.slice(0, 6)} ${ID.slice(6, 14)} ${ID.slice(14)}`)).toEqual([]);
    expect(findPersonalData(`编号 ${ID.replace(/(\d{4})(?=.)/g, '$1 ')} 7`)).toEqual([]);
    expect(findPersonalData(`编号 12，${ID.slice(0, 6)} ${ID.slice(6, 14)} ${ID.slice(14)}`)).toHaveLength(1);
  });

  it('right after Latin letters (ID610103…), but not with a letter or digit after it', () => {
    expect(findPersonalData(`持证人 ID${ID}`)).toMatchObject([{ code: 'personal_id_number', masked }]);
    expect(findPersonalData(`No.${ID}号`)).toMatchObject([{ code: 'personal_id_number' }]);
    expect(findPersonalData(`编码 ${ID}AB`)).toEqual([]);
  });

  it('15-digit first-generation numbers next to their label only, masked to area code and sequence', () => {
    const old = '610103900307002'; // area 610103, born 1990-03-07, sequence 002
    expect(isFirstGenerationIdNumber(old)).toBe(true);
    expect(isFirstGenerationIdNumber('610103900230002')).toBe(false); // 30 February
    expect(isFirstGenerationIdNumber('990103900307002')).toBe(false); // no province 99
    for (const label of ['身份证号', '身份证号码：', '身份证：', '公民身份号码 ', '证件号码:']) {
      const text = `王某，${label}${old}，已换领。`;
      expect(findPersonalData(text), label).toMatchObject([
        { code: 'personal_id_number', start: text.indexOf(old), end: text.indexOf(old) + 15, masked: '610103******002' },
      ]);
    }
    // Unlabelled, a 15-digit number is as likely an old business registration number (注册号).
    expect(findPersonalData(`营业执照注册号：${old}`)).toEqual([]);
    expect(findPersonalData(`序号 ${old}`)).toEqual([]);
    expect(findPersonalData(`身份证号：${old}8`)).toEqual([]); // 16 digits: neither kind
  });
});

describe('mobile numbers, bank cards, e-mail', () => {
  it('mobile numbers with separators and +86, masked', () => {
    for (const form of ['13812345678', '138-1234-5678', '138 1234 5678', '+86 138 1234 5678', '+8613812345678', '0086-13812345678']) {
      const hits = findPersonalData(`联系人：王某，电话${form}。`);
      expect(hits, form).toHaveLength(1);
      expect(hits[0]).toMatchObject({ code: 'personal_mobile', masked: '138****5678' });
    }
    expect(findPersonalData('号码12812345678')).toEqual([]); // no 12x prefix
  });

  it('bank cards: Luhn checked, 16–19 digits, grouped or not, not inside longer runs', () => {
    expect(findPersonalData(`收款账号 ${CARD}`)).toMatchObject([{ code: 'personal_bank_card', masked: `6222 **** **** ${CARD.slice(-4)}` }]);
    const grouped = CARD.slice(0, 16).replace(/(\d{4})(?=\d)/g, '$1 ');
    const card16 = cardNumber('621700', 16);
    expect(findPersonalData(`卡号：${card16.replace(/(\d{4})(?=\d)/g, '$1 ')}`)[0]?.code).toBe('personal_bank_card');
    const broken = CARD.slice(0, -1) + ((Number(CARD.slice(-1)) + 1) % 10);
    expect(findPersonalData(`账号 ${broken}`)).toEqual([]);
    expect(findPersonalData(`流水号 1${CARD}`)).toEqual([]);
    expect(grouped.length).toBeGreaterThan(16);
  });

  it('e-mail: personal addresses masked; government mailboxes are public contact data', () => {
    expect(findPersonalData('来信请寄 zhangsan1988@qq.com')).toMatchObject([{ code: 'personal_email', masked: 'z***@qq.com' }]);
    expect(findPersonalData('监督邮箱：blqzfb@xa.gov.cn')).toEqual([]);
  });

  it('labelled kinds: full birth date, home address, medical record, disability category', () => {
    const text = '张某，1975年6月出生，出生日期：1990年3月7日，家庭住址：东关南街12号3单元，病历号：ZY20260001，残疾类别：肢体';
    const hits = findPersonalData(text);
    expect(hits.map((h) => h.label)).toEqual(['出生日期', '家庭住址', '病历号', '残疾类别']);
    expect(hits.map((h) => h.masked).join(' ')).not.toMatch(/3月7日|东关南街|ZY2026|肢体/);
  });
});

describe('a government text has no false alarms', () => {
  it('document and index numbers, office landlines, dates, amounts, hotlines, postcodes', () => {
    const notice = [
      '碑林区人民政府关于印发《碑林区优化营商环境若干措施》的通知',
      '碑政发〔2026〕12号　索引号：11610103016123456X/2026-00012',
      '成文日期：2026年11月20日　发布日期：2026-11-23',
      '各街道办事处，区政府各工作部门：',
      '现将《措施》印发给你们，专项资金安排1200000000元（12亿元），统一社会信用代码11610103016123456X。',
      '联系电话：029-87654321，传真：(029)87654322，投诉热线12345，邮编710001。',
      '政务服务大厅地址：西安市碑林区南关正街88号。',
      '1975年6月出生的同志任前公示期为2026年12月1日至2026年12月7日。',
      '项目编号：XABL-2026-000123456789，合同金额 3,456,789.00 元。',
    ].join('\n');
    expect(findPersonalData(notice)).toEqual([]);
  });
});

describe('scanText: place and excerpt', () => {
  it('gives field, offset, line and an excerpt with every personal value masked', () => {
    const text = `第一行\n联系人手机13812345678，身份证${ID}`;
    const matches = scanText({ field: '/document/body', text }, null);
    expect(matches.map((m) => m.code)).toEqual(['personal_mobile', 'personal_id_number']);
    expect(matches[0]!.place).toEqual({ field: '/document/body', offset: text.indexOf('138'), line: 2 });
    for (const m of matches) {
      expect(m.blocking).toBe(true);
      expect(m.excerpt).not.toContain('13812345678');
      expect(m.excerpt).not.toContain(ID);
    }
    expect(matches[0]!.excerpt).toContain('138****5678');
    expect(matches[1]!.excerpt).toContain('610103********');
  });
});
