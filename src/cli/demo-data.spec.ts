import { isValidIdNumber } from '@/modules/households/dto/household.dto';
import { demoHouseholds, PEPPER_CONTRACT, PIG_FARM_EQUITY, PIG_FARM_WORKERS, PRODUCTS } from './demo-data';

describe('the Wanzhou demo data', () => {
  const households = demoHouseholds();

  it('is the same on every run', () => {
    expect(demoHouseholds()).toEqual(households);
  });

  it('holds 200 households: 80 pepper, 24 equity, 10 workers, 86 selling their own produce', () => {
    const by = (g: string) => households.filter((h) => h.group === g).length;
    expect(households).toHaveLength(200);
    expect([by('pepper'), by('equity'), by('worker'), by('direct')]).toEqual([80, 24, 10, 86]);
  });

  it('gives every household a valid, unique ID number and a unique registry number', () => {
    expect(households.every((h) => isValidIdNumber(h.idNumber))).toBe(true);
    expect(new Set(households.map((h) => h.idNumber)).size).toBe(200);
    expect(new Set(households.map((h) => h.registryNo)).size).toBe(200);
  });

  it('uses the source figures in fen', () => {
    expect(PEPPER_CONTRACT).toMatchObject({
      plants: 2200,
      managementFeeFenPerPlantYear: 450,
      pickingFeeFenPerJin: 120,
    });
    expect(PEPPER_CONTRACT.dividendTiers).toEqual([
      { minJinPerPlant: 0, shareBps: 200 },
      { minJinPerPlant: 10, shareBps: 300 },
    ]);
    expect(PIG_FARM_EQUITY).toEqual({
      households: 24,
      householdInvestedFen: 5_000_000,
      householdAnnualDividendFen: 400_000,
      collectiveInvestedFen: 40_000_000,
      collectiveAnnualDividendFen: 5_000_000,
    });
    expect(PIG_FARM_WORKERS).toEqual({ households: 10, annualWageFen: 2_500_000 });
  });

  it('names the products of the source', () => {
    const names = PRODUCTS.map((p) => p.name).join(' ');
    for (const word of [
      '花椒',
      '三峡绿茶',
      '玫瑰香橙',
      '猕猴桃',
      '生态猪',
      '芦花鸡',
      '土鸡蛋',
      '鸭',
      '竹笋',
      '蜂蜜',
      '蔬菜',
      '凤凰茶',
    ]) {
      expect(names).toContain(word);
    }
  });
});
